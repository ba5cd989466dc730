"""Ensemble member (b): a small neural network in pure numpy.

store and product embeddings + standardized numeric features -> one ReLU
hidden layer -> log1p(units) (standardized).  Mini-batch Adam, seeded and
deterministic.  Index 0 of each embedding is the "unknown" row; it is
trained by randomly masking a few indices, so unseen stores or products
get a sensible average embedding at scoring time.
"""

import os

import numpy as np

PARAM_NAMES = ("emb_store", "emb_product", "w1", "b1", "w2", "b2")


class EmbeddingNet:
    def __init__(self, n_stores, n_products, n_numeric, emb_dim=4,
                 hidden=32, seed=0):
        rng = np.random.default_rng(seed)
        d_in = 2 * emb_dim + n_numeric
        self.emb_dim = emb_dim
        self.params = {
            "emb_store": rng.normal(0.0, 0.1, (n_stores + 1, emb_dim)),
            "emb_product": rng.normal(0.0, 0.1, (n_products + 1, emb_dim)),
            "w1": rng.normal(0.0, np.sqrt(2.0 / d_in), (d_in, hidden)),
            "b1": np.zeros(hidden),
            "w2": rng.normal(0.0, np.sqrt(1.0 / hidden), (hidden, 1)),
            "b2": np.zeros(1),
        }

    def _forward(self, stores, products, numeric):
        p = self.params
        z = np.hstack([p["emb_store"][stores], p["emb_product"][products],
                       numeric])
        a = z @ p["w1"] + p["b1"]
        h = np.maximum(a, 0.0)
        out = (h @ p["w2"] + p["b2"])[:, 0]
        return out, (z, a, h)

    def predict(self, stores, products, numeric):
        return self._forward(stores, products, numeric)[0]

    def loss(self, stores, products, numeric, target):
        pred = self.predict(stores, products, numeric)
        return float(np.mean((pred - target) ** 2))

    def _gradients(self, stores, products, numeric, target):
        p = self.params
        out, (z, a, h) = self._forward(stores, products, numeric)
        dout = (2.0 / len(target)) * (out - target)[:, None]
        grads = {"w2": h.T @ dout, "b2": dout.sum(axis=0)}
        da = (dout @ p["w2"].T) * (a > 0)
        grads["w1"] = z.T @ da
        grads["b1"] = da.sum(axis=0)
        dz = da @ p["w1"].T
        d = self.emb_dim
        grads["emb_store"] = np.zeros_like(p["emb_store"])
        grads["emb_product"] = np.zeros_like(p["emb_product"])
        np.add.at(grads["emb_store"], stores, dz[:, :d])
        np.add.at(grads["emb_product"], products, dz[:, d:2 * d])
        return grads

    def fit(self, stores, products, numeric, target, epochs, batch_size=128,
            lr=0.003, weight_decay=1e-4, mask_share=0.05, seed=0):
        """Mini-batch Adam; returns the full-data MSE before training and
        after every epoch."""
        rng = np.random.default_rng(seed)
        n = len(target)
        moments = {k: (np.zeros_like(v), np.zeros_like(v))
                   for k, v in self.params.items()}
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        step = 0
        history = [self.loss(stores, products, numeric, target)]
        for _ in range(int(epochs)):
            order = rng.permutation(n)
            for begin in range(0, n, batch_size):
                idx = order[begin:begin + batch_size]
                s, pr = stores[idx].copy(), products[idx].copy()
                s[rng.random(len(idx)) < mask_share] = 0
                pr[rng.random(len(idx)) < mask_share] = 0
                grads = self._gradients(s, pr, numeric[idx], target[idx])
                step += 1
                for key, grad in grads.items():
                    if key.startswith("w"):
                        grad = grad + weight_decay * self.params[key]
                    m, v = moments[key]
                    m *= beta1
                    m += (1 - beta1) * grad
                    v *= beta2
                    v += (1 - beta2) * grad ** 2
                    m_hat = m / (1 - beta1 ** step)
                    v_hat = v / (1 - beta2 ** step)
                    self.params[key] -= lr * m_hat / (np.sqrt(v_hat) + eps)
            history.append(self.loss(stores, products, numeric, target))
        return history

    def save(self, folder, prefix="nn_"):
        """One float64 .npy per parameter array (no pickle)."""
        for name in PARAM_NAMES:
            np.save(os.path.join(folder, prefix + name + ".npy"),
                    np.asarray(self.params[name], dtype=np.float64),
                    allow_pickle=False)

    @classmethod
    def load(cls, folder, prefix="nn_"):
        params = {name: np.load(os.path.join(folder, prefix + name + ".npy"),
                                allow_pickle=False)
                  for name in PARAM_NAMES}
        net = cls.__new__(cls)
        net.emb_dim = params["emb_store"].shape[1]
        net.params = params
        return net
