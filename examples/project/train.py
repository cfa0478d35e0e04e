"""The same toy training loop as train.mjs, with MLflow's Python client."""
import argparse

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--rate", type=float, default=0.3)
parser.add_argument("--epochs", type=int, default=5)
args = parser.parse_args()

with mlflow.start_run() as run:
    loss = 1.0
    for step in range(args.epochs):
        loss *= 1 - args.rate
        mlflow.log_metric("loss", loss, step=step)
    mlflow.set_tag("trainer", "python")
    print(f"run {run.info.run_id}: final loss {loss:.4f} after {args.epochs} epochs")
