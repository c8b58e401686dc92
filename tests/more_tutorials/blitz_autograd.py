# ruff: noqa
import torch
from torch import nn

torch.manual_seed(0)  # added: both libraries draw the same numbers

# Usage in PyTorch (resnet18 replaced by a small model)
model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 8 * 8, 16), nn.ReLU(), nn.Linear(16, 10))
data = torch.rand(1, 3, 8, 8)
labels = torch.rand(1, 10)

prediction = model(data) # forward pass
loss = (prediction - labels).sum()
loss.backward() # backward pass
optim = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
optim.step() #gradient descent
print(model[1].weight[:2, :4])  # added
print(loss)  # added

# Differentiation in Autograd
a = torch.tensor([2., 3.], requires_grad=True)
b = torch.tensor([6., 4.], requires_grad=True)
Q = 3*a**3 - b**2
external_grad = torch.tensor([1., 1.])
Q.backward(gradient=external_grad)

# Check if collected gradients are correct
print(9*a**2 == a.grad)
print(-2*b == b.grad)
print(Q)  # added
print(a.grad, b.grad)  # added

# Exclusion from the DAG
x = torch.rand(5, 5)
y = torch.rand(5, 5)
z = torch.rand((5, 5), requires_grad=True)

a = x + y
print(f"Does `a` require gradients?: {a.requires_grad}")
b = x + z
print(f"Does `b` require gradients?: {b.requires_grad}")

# Frozen parameters (resnet18 replaced by a small model with a final ``fc`` layer)
from torch import nn, optim


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(8, 16), nn.ReLU())
        self.fc = nn.Linear(16, 1000)

    def forward(self, x):
        return self.fc(self.features(x))


model = SmallNet()

# Freeze all the parameters in the network
for param in model.parameters():
    param.requires_grad = False

model.fc = nn.Linear(16, 10)

# Optimize only the classifier
optimizer = optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)

# added: what freezing does
print(model)
print([(name, p.requires_grad) for name, p in model.named_parameters()])
out = model(torch.rand(2, 8))
print(out.requires_grad, out.grad_fn, out.grad_fn.next_functions)
out.sum().backward()
print([p.grad is None for p in model.parameters()])
optimizer.step()
print(model.fc.bias)
model.requires_grad_(False)
print([p.requires_grad for p in model.parameters()])
print(optimizer)
