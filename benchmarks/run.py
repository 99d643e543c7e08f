#!/usr/bin/env python3
"""`make bench`: hardened.eks against the generic-module way (kubernetes.core, amazon.aws,
loops), both sides against the same sandbox in the same run.

    python benchmarks/run.py                 # the full run (about 15-20 minutes on 2 cores)
    python benchmarks/run.py --smoke --out /tmp/x.json   # tiny sizes, 1 repetition
    python benchmarks/run.py --only aws_auth,growth --reps 1

Every timed run is a real `ansible-playbook` process (or, for the growth curves, a real module
process) against the sandbox started by `scripts/sandbox up`. Kubernetes requests are counted
from the API server's audit log: each run impersonates its own user name (the
`K8S_AUTH_IMPERSONATE_USER` variable that kubernetes.core and hardened.eks honour), so its
requests are told apart from anybody else's. AWS calls are counted from moto's request log
(every call in the run's window). See benchmarks/README.md for the method.
"""

import os
import sys

# The benchmark code is the package benchmarks/bench/ (harness, records, data, scenarios,
# environment, report, cli); it imports the sandbox fixtures of the tests, so the checkout's
# root is on the path.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.bench.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
