// OpenRLHF's launch lines per stage: SFT, RM and DPO under deepspeed (one node) or torchrun (several);
// PPO as a Ray job the head node submits while the other nodes lend their GPUs.
import type { ExportOptions, ExportStage } from "../types.js";
import { outputDir, type TargetOutput } from "./common.js";

/** A stage's launch lines (one node, several), and for PPO the marker the head touches when it is done. */
export function openrlhfLaunch(stage: ExportStage, path: string, module: string, opts: ExportOptions): { step: TargetOutput["launch"][number]; done: string | null } {
  const g = opts.gpusPerNode;
  const n = opts.nodes;
  if (stage.kind !== "ppo") {
    const load = `mapfile -t ARGS < ${path}`;
    return {
      done: null,
      step: {
        stage: stage.name,
        oneNode: [load, `deepspeed --num_gpus ${g} --module ${module} "\${ARGS[@]}"`],
        nNodes: [load, `torchrun --nnodes ${n} --nproc_per_node ${g} --node_rank "$NODE_RANK" --master_addr "$MASTER_ADDR" --master_port "$MASTER_PORT" -m ${module} "\${ARGS[@]}"`],
      },
    };
  }
  const done = `${outputDir(stage.name)}/.alignc-done`;
  // The job runs where Ray's job supervisor puts it, not here: it gets absolute paths into this folder.
  // (A `working_dir` runtime env uploaded the whole folder, trained models included, past Ray's package
  // limit, and relative save paths then landed in Ray's unpacked copy.) Multi-node: the folder is shared.
  // Ray joins the job's command with Python's list2cmdline and runs it with /bin/sh: an argument with a
  // character that shell would read ($, quotes, a backslash, glob or redirection characters) would not
  // reach OpenRLHF as written, so the script stops before it starts Ray. (Spaces survive: list2cmdline
  // quotes such an argument.)
  const loadAbsolute = [
    `ARGS=(); while IFS= read -r a || [ -n "$a" ]; do case "$a" in ./*) a="$PWD/\${a#./}" ;; esac; ARGS+=("$a"); done < ${path}`,
    `for a in "\${ARGS[@]}"; do case "$a" in *[!A-Za-z0-9_./:=,+@%\\ -]*) echo "launch: stage ${stage.name}: the argument '$a' holds a character that Ray's job shell would reinterpret (Ray runs the job's command with /bin/sh): use an export folder whose path has only letters, digits, spaces and _.,:=+@%/-" >&2; exit 2 ;; esac; done`,
  ];
  const submit = `ray job submit --address=http://127.0.0.1:8265 -- python3 -m ${module} "\${ARGS[@]}"`;
  return {
    done,
    step: {
      stage: stage.name,
      oneNode: [...loadAbsolute, `ray start --head --node-ip-address 127.0.0.1 --num-gpus ${g}`, submit, "ray stop"],
      nNodes: [
        ...loadAbsolute,
        `if [ "$NODE_RANK" = 0 ]; then`,
        `  ray start --head --node-ip-address "$MASTER_ADDR" --num-gpus ${g}`,
        `  # wait until all ${n} nodes joined`,
        `  until [ "$(ray list nodes --filter state=ALIVE 2>/dev/null | grep -c ALIVE)" -ge ${n} ]; do sleep 5; done`,
        `  ${submit}`,
        `  mkdir -p ${outputDir(stage.name)} && touch ${done}`,
        `else`,
        `  until ray start --address "$MASTER_ADDR:6379" --num-gpus ${g}; do sleep 10; done`,
        `  # the head submits the job; this node lends its GPUs until the head marks the stage done`,
        `  until [ -e ${done} ]; do sleep 30; done`,
        `fi`,
        "ray stop",
      ],
    },
  };
}
