"""hyperopt 0.2.7's own TPE and random search on the problems of bench/hyperparameter-search.ts (same budgets,
20 seeds, median best loss), for comparison with Runlog's. Needs Python with hyperopt and numpy:
    python bench/hyperopt-reference.py
"""
import math

import numpy as np
from hyperopt import Trials, fmin, hp, rand, tpe

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
     [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(p):
    x, y = p["x0"], p["x1"]
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (y - b * x * x + c * x - 6) ** 2 + 10 * (1 - t) * math.cos(x) + 10


def hartmann6(p):
    x = [p[f"x{j}"] for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j] * 1e-4) ** 2 for j in range(6))) for i in range(4))


PROBLEMS = [
    ("branin", branin, {"x0": hp.uniform("x0", -5, 10), "x1": hp.uniform("x1", 0, 15)}),
    ("hartmann6", hartmann6, {f"x{j}": hp.uniform(f"x{j}", 0, 1) for j in range(6)}),
]

for name, f, space in PROBLEMS:
    for evals in (50, 100):
        medians = {}
        for label, algo in (("tpe", tpe.suggest), ("random", rand.suggest)):
            bests = []
            for seed in range(20):
                trials = Trials()
                fmin(f, space, algo=algo, max_evals=evals, trials=trials, rstate=np.random.default_rng(seed), show_progressbar=False)
                bests.append(min(trials.losses()))
            medians[label] = float(np.median(bests))
        print({"problem": name, "evals": evals, "tpe_median_best": round(medians["tpe"], 4), "random_median_best": round(medians["random"], 4)})
