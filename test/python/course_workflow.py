"""The MLOps course's workflow with the real MLflow client against a Runlog server (MLFLOW_TRACKING_URI):
a hyperopt TPE search with one nested run per trial, xgboost autologging of the best, a DictVectorizer
preprocessor saved as an artifact, registering the model, aliasing it and loading it back by alias.
Prints one JSON line with what it read back; exits non-zero on any failure."""

import json
import os
import pickle
import sys
import tempfile

import mlflow
import numpy as np
import xgboost as xgb
from hyperopt import STATUS_OK, Trials, fmin, hp, tpe
from mlflow.tracking import MlflowClient
from sklearn.feature_extraction import DictVectorizer
from sklearn.metrics import mean_squared_error

rng = np.random.default_rng(7)


def trips(n):
    rows, y = [], []
    for _ in range(n):
        pu, do = int(rng.integers(1, 20)), int(rng.integers(1, 20))
        dist = float(rng.uniform(0.5, 15))
        rows.append({"PU_DO": f"{pu}_{do}", "trip_distance": dist})
        y.append(3.0 * dist + (pu % 5) + float(rng.normal(0, 1)))
    return rows, np.array(y)


train_rows, y_train = trips(400)
val_rows, y_val = trips(100)
dv = DictVectorizer()
X_train = dv.fit_transform(train_rows)
X_val = dv.transform(val_rows)
train = xgb.DMatrix(X_train, label=y_train)
valid = xgb.DMatrix(X_val, label=y_val)

mlflow.set_experiment("nyc-taxi-experiment")


def objective(params):
    with mlflow.start_run(nested=True):
        mlflow.set_tag("model", "xgboost")
        mlflow.log_params(params)
        booster = xgb.train(params=params, dtrain=train, num_boost_round=20, evals=[(valid, "validation")], verbose_eval=False)
        rmse = mean_squared_error(y_val, booster.predict(valid)) ** 0.5
        mlflow.log_metric("rmse", rmse)
    return {"loss": rmse, "status": STATUS_OK}


space = {
    "max_depth": hp.choice("max_depth", [2, 3, 4]),
    "learning_rate": hp.loguniform("learning_rate", -3, 0),
    "objective": "reg:squarederror",
    "seed": 42,
}
with mlflow.start_run(run_name="hyperopt") as parent:
    trials = Trials()
    best = fmin(fn=objective, space=space, algo=tpe.suggest, max_evals=5, trials=trials, rstate=np.random.default_rng(1))

mlflow.xgboost.autolog()
with mlflow.start_run(run_name="best") as run:
    params = {"max_depth": [2, 3, 4][best["max_depth"]], "learning_rate": best["learning_rate"], "objective": "reg:squarederror", "seed": 42}
    booster = xgb.train(params=params, dtrain=train, num_boost_round=20, evals=[(valid, "validation")], verbose_eval=False)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "preprocessor.b")
        with open(path, "wb") as f:
            pickle.dump(dv, f)
        mlflow.log_artifact(path, artifact_path="preprocessor")
mlflow.xgboost.autolog(disable=True)

client = MlflowClient()
mv = mlflow.register_model(f"runs:/{run.info.run_id}/model", "nyc-taxi-regressor")
client.set_registered_model_alias("nyc-taxi-regressor", "champion", mv.version)
model = mlflow.pyfunc.load_model("models:/nyc-taxi-regressor@champion")
pred = model.predict(X_val[:3].toarray())

children = client.search_runs([parent.info.experiment_id], f"tags.mlflow.parentRunId = '{parent.info.run_id}'")
best_run = client.get_run(run.info.run_id)
artifacts = sorted(a.path for a in client.list_artifacts(run.info.run_id))
print(json.dumps({
    "trials": len(children),
    "trial_metrics": sorted(set(k for c in children for k in c.data.metrics)),
    "autolog_params": sorted(k for k in best_run.data.params if k in ("max_depth", "learning_rate", "num_boost_round")),
    "autolog_metrics": sorted(best_run.data.metrics),
    "artifacts": artifacts,
    "version": mv.version,
    "alias_version": client.get_model_version_by_alias("nyc-taxi-regressor", "champion").version,
    "predictions": len(pred),
}))
sys.stdout.flush()
