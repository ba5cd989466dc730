/** The scoring scripts deployments run: they hand their rows to the project's score command. */
export const BATCH_DRIVER = 'mlops_batch_driver.py';

/** Both drivers find the model files the same way. */
const INIT = `def init():
    global MODEL_DIR
    root = os.environ["AZUREML_MODEL_DIR"]
    entries = os.listdir(root)
    # Azure mounts a registered folder inside the model root.
    only = os.path.join(root, entries[0]) if len(entries) == 1 else root
    MODEL_DIR = only if os.path.isdir(only) else root
`;

export const BATCH_DRIVER_SOURCE = `"""Azure ML batch scoring entry written by mlops-actions: do not edit.

Runs the project's score command (MLOPS_SCORE_COMMAND) over each mini-batch
with the environment the suite documents: MLOPS_DATA_DIR holds the batch
files, MLOPS_MODEL_DIR the model files, and predictions.csv goes to
MLOPS_OUTPUT_DIR, the deployment's output folder.
"""
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


${INIT}

def run(mini_batch):
    data_dir = tempfile.mkdtemp()
    for path in mini_batch:
        shutil.copy(path, data_dir)
    output_dir = os.environ.get("AZUREML_BI_OUTPUT_PATH") or tempfile.mkdtemp()
    env = dict(
        os.environ,
        MLOPS_DATA_DIR=data_dir,
        MLOPS_MODEL_DIR=MODEL_DIR,
        MLOPS_OUTPUT_DIR=output_dir,
    )
    subprocess.run(
        os.environ["MLOPS_SCORE_COMMAND"], shell=True, check=True, env=env, cwd=HERE
    )
    return list(mini_batch)
`;

export const ONLINE_DRIVER = 'mlops_online_driver.py';

export const ONLINE_DRIVER_SOURCE = `"""Azure ML online scoring entry written by mlops-actions: do not edit.

A request is {"csv": "<header and rows>"}; the project's score command
(MLOPS_SCORE_COMMAND) scores them and the answer is {"predictions": "<csv>"}.
"""
import json
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


${INIT}

def run(raw_data):
    rows = json.loads(raw_data)["csv"]
    data_dir = tempfile.mkdtemp()
    output_dir = tempfile.mkdtemp()
    with open(os.path.join(data_dir, "score.csv"), "w") as handle:
        handle.write(rows)
    env = dict(
        os.environ,
        MLOPS_DATA_DIR=data_dir,
        MLOPS_MODEL_DIR=MODEL_DIR,
        MLOPS_OUTPUT_DIR=output_dir,
    )
    subprocess.run(
        os.environ["MLOPS_SCORE_COMMAND"], shell=True, check=True, env=env, cwd=HERE
    )
    with open(os.path.join(output_dir, "predictions.csv")) as handle:
        return {"predictions": handle.read()}
`;
