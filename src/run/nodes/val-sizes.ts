// How many held-out sequences a pretrain or SFT stage scores for val_loss (read by the stage handler
// and by the report, which says so beside the curve): the logged curve's rows (step 0 to the last
// step) on the first VAL_DURING (a cap keeps it cheap), the summary's val_loss_before / val_loss /
// val_loss_baseline on the first VAL_FINAL.
export const VAL_DURING = 32;
export const VAL_FINAL = 256;
