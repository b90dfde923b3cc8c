"""The clustersim environments from Python, standard library only.

It runs `clustersim env serve FILE` and speaks its JSON-lines protocol: reset(seed) returns
(observation, info) and step(action) returns (observation, reward, terminated, truncated, info), as
Gymnasium environments do; info["mask"] marks the allowed actions. Observations are lists of floats,
shares mostly in [0, 1] (the packing state's arrived load reaches the load, 1.3). FILE is a scenario
(pod placement: an action is a node, or "no node now", always allowed) or an RL environment file:
`env: queue` (batch job selection as in RLScheduler: an action is one of 128 queue slots;
reset(seed, start=J) begins the episode at job index J) or `env: packing` (GPU pod placement under
FGD's protocol: an action is a node the pod fits; info["candidates"] lists them).

    env = ClusterSimEnv("examples/scenarios/openb-fgd.yaml")
    obs, info = env.reset(seed=1)
    done = False
    while not done:
        action = info["mask"].index(1)          # first fit
        obs, reward, terminated, truncated, info = env.step(action)
        done = terminated or truncated
    env.close()
"""

import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CLI = os.path.join(HERE, "..", "..", "cli", "bin", "clustersim.js")


class ClusterSimError(RuntimeError):
    """The server refused a request (its message says why)."""


class ClusterSimEnv:
    def __init__(self, scenario, cli=DEFAULT_CLI, node="node", overrides=(), max_steps=None):
        args = [node, cli, "env", "serve", scenario]
        for o in overrides:
            args += ["--set", o]
        if max_steps is not None:
            args += ["--max-steps", str(max_steps)]
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        spaces = self._call({"spaces": {}})
        self.observation_size = spaces["observationSize"]
        self.actions = spaces["actions"]

    def _call(self, request):
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise ClusterSimError("the clustersim server ended (see its stderr)")
        reply = json.loads(line)
        if "error" in reply:
            raise ClusterSimError(reply["error"])
        return reply

    def reset(self, seed=0, start=None):
        request = {"seed": seed}
        if start is not None:
            request["start"] = start
        r = self._call({"reset": request})
        return r["observation"], {"mask": r["mask"], **r["info"]}

    def step(self, action):
        r = self._call({"step": {"action": int(action)}})
        info = {"mask": r["mask"], **r["info"]}
        return r["observation"], r["reward"], r["terminated"], r["truncated"], info

    def close(self):
        self._proc.stdin.close()
        self._proc.wait()


if __name__ == "__main__":
    import sys

    env = ClusterSimEnv(sys.argv[1])
    obs, info = env.reset(seed=int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    total, steps, done = 0.0, 0, False
    while not done:
        obs, reward, terminated, truncated, info = env.step(info["mask"].index(1))
        total += reward
        steps += 1
        done = terminated or truncated
    env.close()
    print(json.dumps({"steps": steps, "reward": total}))
