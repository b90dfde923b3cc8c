#!/usr/bin/env bash
# A sweep as a Slurm job array: each array task runs every N-th run of the sweep into its own
# directory (clustersim reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT), then one merge step
# combines the shards into the outputs of the whole sweep.
#
#   sbatch examples/distributed/slurm-array.sh
#   # when the array has finished:
#   npx clustersim merge --out results/sweep-quick results/sweep-quick-shard-*
#
#SBATCH --job-name=clustersim-sweep
#SBATCH --array=0-3
#SBATCH --cpus-per-task=2
#SBATCH --mem=4G
#SBATCH --time=01:00:00
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
npx clustersim sweep examples/sweep-quick.yaml \
  --workers "${SLURM_CPUS_PER_TASK:-1}" \
  --out "results/sweep-quick-shard-${SLURM_ARRAY_TASK_ID}"
