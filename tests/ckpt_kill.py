#!/usr/bin/env python3
"""Kill a checkpointed pipeline with SIGKILL at random moments, many times,
then let it finish; the caller compares its output with an undisturbed run.

  ckpt_kill.py [--rounds N] [--seed S] [--min MS] [--max MS] chain CMD...
      --no-final: stop after the rounds (to look at the state left).
      --allow-status N: the final run may also exit N (a failed check).
      --victim I: always kill stage I (0 the first).
      CMD... are the stages of a shell-style pipeline (each one string,
      split like a shell would); each round starts the whole chain, kills
      one stage chosen at random after a random delay, and waits for the
      rest to go down.
  ckpt_kill.py [...] run [--kill-run] YAML [weir-run options...]
      starts weir-run YAML once; each round kills a random stage of it
      (a child of weir-run), which weir-run restarts; with --kill-run some
      rounds kill weir-run itself, and it is started again.

Every wait is bounded.  Prints one line per round and a summary; exits 0
when the final run exited 0, 1 otherwise.
"""
import os
import random
import shlex
import signal
import subprocess
import sys
import time

LIMIT = 60.0   # seconds any one wait may take


def children(pid):
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        ppid = int(st[st.rindex(")") + 2:].split()[1])
        if ppid == pid:
            out.append(int(d))
    return out


def start_chain(cmds):
    procs = []
    prev = None
    for i, c in enumerate(cmds):
        p = subprocess.Popen(shlex.split(c), stdin=prev,
                             stdout=subprocess.PIPE if i < len(cmds) - 1
                             else None)
        if prev is not None:
            prev.close()
        prev = p.stdout
        procs.append(p)
    return procs


def wait_all(procs, limit=LIMIT):
    end = time.time() + limit
    for p in procs:
        try:
            p.wait(timeout=max(0.1, end - time.time()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return False
    return True


ALLOWED = {0}
VICTIM = [None]   # --victim: the stage every round kills


def chain(args, rnd, rounds, lo, hi, final=True):
    kills = 0
    for r in range(rounds):
        procs = start_chain(args)
        time.sleep(rnd.uniform(lo, hi) / 1000.0)
        alive = [p for p in procs if p.poll() is None]
        if not alive:
            wait_all(procs)
            print("round %d: finished before the kill" % r)
            continue
        victim = rnd.randrange(len(procs))
        if VICTIM[0] is not None:
            victim = VICTIM[0]
        if procs[victim].poll() is None:
            procs[victim].send_signal(signal.SIGKILL)
            kills += 1
            print("round %d: killed stage %d" % (r, victim))
        else:
            print("round %d: stage %d had exited" % (r, victim))
        if not wait_all(procs):
            print("round %d: a stage did not go down" % r)
            return 1
    if not final:
        return 0
    procs = start_chain(args)
    ok = wait_all(procs, LIMIT * 3)
    codes = [p.returncode for p in procs]
    print("final run: %s; %d kills" % (codes, kills))
    return 0 if ok and all(c in ALLOWED for c in codes) else 1


def run(args, rnd, rounds, lo, hi, kill_run):
    cmd = ["weir-run"] + args
    wr = subprocess.Popen(cmd)
    kills = run_kills = 0
    for r in range(rounds):
        time.sleep(rnd.uniform(lo, hi) / 1000.0)
        if wr.poll() is not None:
            if wr.returncode == 0:
                print("round %d: the pipeline had finished" % r)
                break
            print("round %d: weir-run exited %d" % (r, wr.returncode))
            return 1
        if kill_run and rnd.random() < 0.3:
            wr.send_signal(signal.SIGKILL)
            wr.wait()
            run_kills += 1
            # its stages die with it (PR_SET_PDEATHSIG); give them a moment
            time.sleep(0.3)
            print("round %d: killed weir-run" % r)
            wr = subprocess.Popen(cmd)
            continue
        kids = children(wr.pid)
        if not kids:
            print("round %d: no stage running" % r)
            continue
        victim = rnd.choice(kids)
        try:
            os.kill(victim, signal.SIGKILL)
            kills += 1
            print("round %d: killed stage pid %d" % (r, victim))
        except ProcessLookupError:
            print("round %d: stage had exited" % r)
    try:
        rc = wr.wait(timeout=LIMIT * 3)
    except subprocess.TimeoutExpired:
        wr.kill()
        wr.wait()
        print("weir-run did not finish")
        return 1
    print("weir-run exited %d; %d stage kills, %d weir-run kills"
          % (rc, kills, run_kills))
    return 0 if rc == 0 else 1


def main():
    a = sys.argv[1:]
    rounds, seed, lo, hi, kill_run, final = 20, 1, 50, 600, False, True
    while a and a[0].startswith("--"):
        o = a.pop(0)
        if o == "--rounds":
            rounds = int(a.pop(0))
        elif o == "--seed":
            seed = int(a.pop(0))
        elif o == "--min":
            lo = int(a.pop(0))
        elif o == "--max":
            hi = int(a.pop(0))
        elif o == "--no-final":
            final = False
        elif o == "--allow-status":
            ALLOWED.add(int(a.pop(0)))
        elif o == "--victim":
            VICTIM[0] = int(a.pop(0))
        else:
            sys.exit("unknown option " + o)
    # WEIR_KILL_ROUNDS caps the rounds (the sanitizer pass of the suite
    # looks for memory errors on the restore paths, not for more kills)
    if os.environ.get("WEIR_KILL_ROUNDS"):
        rounds = min(rounds, int(os.environ["WEIR_KILL_ROUNDS"]))
    rnd = random.Random(seed)
    mode = a.pop(0)
    if mode == "chain":
        return chain(a, rnd, rounds, lo, hi, final)
    if a and a[0] == "--kill-run":
        a.pop(0)
        kill_run = True
    return run(a, rnd, rounds, lo, hi, kill_run)


if __name__ == "__main__":
    sys.exit(main())
