"""Write tests/data/checkpoint_v1.pt with dcgan_lib at 863ec6c (checkpoint version 1)
and the reference result of 6 uninterrupted steps."""
import dataclasses, torch
from torch.utils.data import TensorDataset
import dcgan_lib as dl, copy
cfg = dataclasses.replace(dl.Config(), image_size=16, nc=1, nz=8, ngf=4, ndf=4,
                          batch_size=16, seed=5, ema_decay=0.9, r1_gamma=1.0)
def models():
    torch.manual_seed(0)
    G = dl.Generator(8, 4, 1, 16); D = dl.Discriminator(1, 4, 16)
    G.apply(dl.weights_init); D.apply(dl.weights_init)
    return G, D
def data():
    g = torch.Generator().manual_seed(1)
    return TensorDataset(torch.rand(40, 1, 16, 16, generator=g) * 2 - 1, torch.zeros(40))
G, D = models()
dl.train(cfg, data(), G, D, steps=3, checkpoint="tests/data/checkpoint_v1.pt",
         G_ema=copy.deepcopy(G), progress=False, sample_every=2, precision="fp32", n_samples=4)
G, D = models(); Ge = copy.deepcopy(G)
h = dl.train(cfg, data(), G, D, steps=6, G_ema=Ge, progress=False, sample_every=2, precision="fp32", n_samples=4)
torch.save({"G": G.state_dict(), "D": D.state_dict(), "G_ema": Ge.state_dict(),
            "loss_d": h.loss_d, "samples": h.samples}, "tests/data/checkpoint_v1_straight6.pt")
