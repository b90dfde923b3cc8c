import type { Mlp, MlpWorkspace } from "@clustersim/engine";
import { InputError } from "@clustersim/files";

/**
 * Refuse the scores of `net`'s last forward pass when one is not a finite number. Every value of a
 * checkpoint is checked finite when it is read, but finite weights can still overflow on the way
 * (1e300 everywhere is Infinity by the second layer, and NaN once the softmax subtracts Infinity from
 * itself): an agent acting on such scores would choose arbitrarily while its figures looked sound. One
 * pass over the output rows per decision; only when one is bad are the layers searched, to name the
 * first that overflowed. `where` names the checkpoint, `name` the network (its tensors' prefix).
 */
export function checkFiniteOutputs(net: Mlp, ws: MlpWorkspace, name: string, where: string): void {
  const layers = net.sizes.length - 1;
  const out = ws.acts[layers]!;
  const n = ws.rows * net.sizes[layers]!;
  for (let i = 0; i < n; i++) if (!Number.isFinite(out[i]!)) throw overflow(net, ws, name, where);
}

function overflow(net: Mlp, ws: MlpWorkspace, name: string, where: string): InputError {
  // acts[l] holds the outputs of layer l (layers count from 1, as the tensors are named).
  for (let l = 1; l < net.sizes.length; l++) {
    const a = ws.acts[l]!;
    const n = ws.rows * net.sizes[l]!;
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(a[i]!))
        return new InputError(
          `${where}: ${name}.layer${l}: expected finite outputs, found ${a[i]} (the checkpoint's weights overflow on these inputs: its scores cannot rank the choices)`,
        );
    }
  }
  return new InputError(`${where}: ${name}: expected finite outputs`);
}
