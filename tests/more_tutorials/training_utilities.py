# ruff: noqa
"""Training utilities around a model, as learners' programs use them (not a PyTorch tutorial's
text: the pieces the tutorials point to, put together): a learning-rate schedule (linear warm-up,
then step decay, with SequentialLR), gradient clipping, checkpoints saved with torch.save and
loaded with torch.load into a fresh model and optimizer, training resumed, ReduceLROnPlateau."""
import io
import os
import tempfile

import torch
from torch import nn

torch.manual_seed(0)  # both libraries draw the same numbers

# A regression problem: y = X w + noise.
X = torch.randn(64, 4)
true_w = torch.tensor([[1.5], [-2.0], [0.5], [3.0]])
y = X @ true_w + 0.1 * torch.randn(64, 1)

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
print(model)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
warmup = torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=3)
decay = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)
scheduler = torch.optim.lr_scheduler.SequentialLR(optimizer, [warmup, decay], milestones=[3])
print("initial lr:", scheduler.get_last_lr(), optimizer.param_groups[0]["initial_lr"])


def train_epoch(model, optimizer):
    for i in range(0, 64, 16):
        xb, yb = X[i:i + 16], y[i:i + 16]
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        optimizer.step()
    return loss, norm


for epoch in range(6):
    loss, norm = train_epoch(model, optimizer)
    scheduler.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}, last grad norm {norm.item():.4f}, "
          f"lr {scheduler.get_last_lr()}")
print(norm)
print([round(p.grad.norm().item(), 4) for p in model.parameters()])

# Save a checkpoint (model, optimizer and scheduler state) and load it into fresh objects.
checkpoint = {
    "epoch": 6,
    "model": model.state_dict(),
    "optimizer": optimizer.state_dict(),
    "scheduler": scheduler.state_dict(),
}
with tempfile.TemporaryDirectory() as folder:
    path = os.path.join(folder, "checkpoint.pt")
    torch.save(checkpoint, path)
    loaded = torch.load(path, weights_only=True)
print(sorted(loaded), loaded["epoch"])
print(list(loaded["model"].keys()))
print(loaded["model"]["2.bias"])
print(loaded["optimizer"]["param_groups"])
print(sorted(loaded["optimizer"]["state"][0]))
print(loaded["scheduler"]["last_epoch"], loaded["scheduler"]["_last_lr"])

resumed = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
print(resumed.load_state_dict(loaded["model"]))
resumed_optimizer = torch.optim.SGD(resumed.parameters(), lr=0.05, momentum=0.9)
# The scheduler first: making one sets the groups' lr, which the optimizer's state then restores.
resumed_scheduler = torch.optim.lr_scheduler.SequentialLR(
    resumed_optimizer,
    [torch.optim.lr_scheduler.LinearLR(resumed_optimizer, start_factor=0.1, total_iters=3),
     torch.optim.lr_scheduler.StepLR(resumed_optimizer, step_size=4, gamma=0.5)],
    milestones=[3])
resumed_optimizer.load_state_dict(loaded["optimizer"])
resumed_scheduler.load_state_dict(loaded["scheduler"])
print(torch.equal(resumed(X), model(X)))

# Both continue for three epochs: the resumed run is the original run.
for epoch in range(6, 9):
    loss, _ = train_epoch(model, optimizer)
    scheduler.step()
    resumed_loss, _ = train_epoch(resumed, resumed_optimizer)
    resumed_scheduler.step()
    print(f"epoch {epoch}: {loss.item():.4f} {resumed_loss.item():.4f} "
          f"{scheduler.get_last_lr()} {resumed_scheduler.get_last_lr()}")
print(all(torch.equal(a, b) for a, b in zip(model.parameters(), resumed.parameters())))

# An in-memory checkpoint of a single tensor, and gradient clipping by value.
buffer = io.BytesIO()
torch.save(model[0].weight, buffer)
buffer.seek(0)
weight = torch.load(buffer)
print(type(weight).__name__, weight.requires_grad, weight.shape, torch.equal(weight, model[0].weight))
loss_fn(model(X), y).backward()
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.01)
print(model[2].bias.grad, model[0].weight.grad.abs().max())

# ReduceLROnPlateau: lower the lr when the loss stops improving.
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
for metric in [1.0, 0.9, 0.95, 0.93, 0.97, 0.8, 0.85, 0.86]:
    plateau.step(metric)
    print(metric, plateau.get_last_lr(), plateau.num_bad_epochs)
