"""Chapter 01's exercise cases (GANs in review): right answers in several forms,
and the wrong answers the chapter argues against, each labelled with its mistake."""

import math

import numpy as np
import torch

RIGHT = {
    "01.1": [0.75, 3 / 4, np.float64(0.7504), np.float32(0.75), torch.tensor(0.75)],
    "01.2": [
        -math.log(4),
        -1.386,
        np.log(0.25),
        torch.tensor(-1.3863),
        np.array(-1.386),
    ],
    "01.3": [
        -0.9,
        -0.8999,
        np.float32(-0.9),
        np.float64(-0.9),
        np.array(-0.9),
        torch.tensor(-0.9, dtype=torch.float64),
    ],
    "01.4": [
        99,
        99.0,
        0.99 / 0.01,
        np.int64(99),
        np.float32(99.0),
        np.array(99),
        torch.tensor(99),
    ],
    "01.5": [
        math.log(2),
        0.693,
        np.float32(0.6931),
        np.array(math.log(2)),
        torch.tensor(0.6931),
    ],
}

WRONG = {
    "01.1": [
        ("p_g's share, 1 - D*", 0.25),
        ("the ratio p_data / p_g, no probability", 3.0),
        ("p_data alone", 0.3),
        ("D* at the equilibrium, not at this x", 0.5),
        ("text", "0.75"),
        ("a bool", True),
        ("a list holding it", [0.75]),
        ("nan", float("nan")),
    ],
    "01.2": [
        ("sign lost", math.log(4)),
        ("one of the two terms only", -math.log(2)),
        ("-log2(4): bits instead of nats", -2.0),
        ("D*, not V", 0.5),
        ("the value of a perfect D", 0.0),
        ("a neighbouring number", -1.5),
        ("text", "-log 4"),
    ],
    "01.3": [
        ("sign lost", 0.9),
        ("the saturating loss's gradient", -0.1),
        ("derivative with respect to s, not the logit", -10.0),
        ("s itself", 0.1),
        ("1 - s with s taken as 0", -1.0),
        ("a tuple holding it", (-0.9,)),
    ],
    "01.4": [
        ("1/s: the non-saturating gradient taken as 1", 100),
        ("upside down", 1 / 99),
        ("the same gradient", 1.0),
        ("a neighbouring whole number", 98),
        ("the numerator alone", 0.99),
        ("neither 99 nor a whole ratio", 99.5),
        ("a 2-element tensor", torch.tensor([99.0, 99.0])),
    ],
    "01.5": [
        ("jensenshannon's sqrt(JSD), not squared", math.sqrt(math.log(2))),
        ("bits (base 2)", 1.0),
        ("C(G) = 0, not the JSD", 0.0),
        ("the minimum of C(G)", -math.log(4)),
        ("2 JSD", math.log(4)),
        ("infinity", float("inf")),
    ],
}
