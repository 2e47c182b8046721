// The accelerate config TRL launches with: DeepSpeed ZeRO-3 (the layout of TRL's own
// accelerate_configs/zero3.yaml) with num_machines and num_processes computed for the cluster.
import type { ExportOptions } from "../types.js";

/** The accelerate config of the export's cluster (only that one: the stage configs are sized for it, launch.ts), or of one stage on it. */
export function acceleratePath(opts: Pick<ExportOptions, "nodes">, stage?: string): string {
  return `accelerate/zero3-${opts.nodes === 1 ? "1node" : `${opts.nodes}nodes`}${stage === undefined ? "" : `-${stage}`}.yaml`;
}

/** `gradientClipping`: DeepSpeed's clip (trl.ts sharedClip says why it is always written); left out, none is written (no stage uses the config). */
export function accelerateConfig(nodes: number, gpusPerNode: number, gradientClipping?: number): Record<string, unknown> {
  return {
    compute_environment: "LOCAL_MACHINE",
    debug: false,
    deepspeed_config: {
      deepspeed_multinode_launcher: "standard",
      ...(gradientClipping === undefined ? {} : { gradient_clipping: gradientClipping }),
      offload_optimizer_device: "none",
      offload_param_device: "none",
      zero3_init_flag: true,
      zero3_save_16bit_model: true, // a loadable HF checkpoint for the next stage, not only shards
      zero_stage: 3,
    },
    distributed_type: "DEEPSPEED",
    downcast_bf16: "no", // quoted by toYaml: YAML 1.1 would read a bare no as false
    machine_rank: 0, // overridden per node by --machine_rank in the N-node script
    main_training_function: "main",
    mixed_precision: "bf16",
    num_machines: nodes,
    num_processes: nodes * gpusPerNode, // accelerate counts processes over all machines
    rdzv_backend: "static",
    same_network: true,
    tpu_env: [],
    tpu_use_cluster: false,
    tpu_use_sudo: false,
    use_cpu: false,
  };
}
