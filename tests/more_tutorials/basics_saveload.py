# ruff: noqa
# "Save and Load the Model" (basics/saveloadrun_tutorial.py). torchvision's vgg16 (and its
# ImageNet weights) is replaced by a small VGG-like model (marked "# replaced"); the files go to a
# temporary directory. A seed is added so that both libraries draw the same numbers.
import torch
# replaced: import torchvision.models as models
from torch import nn
import os, tempfile  # added: the files go to a temporary directory
os.chdir(tempfile.mkdtemp())  # added

torch.manual_seed(0)  # added: both libraries draw the same numbers


class VGG(nn.Module):  # replaced: torchvision's VGG, small
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(inplace=True),
                                      nn.MaxPool2d(kernel_size=2, stride=2))
        self.avgpool = nn.AdaptiveAvgPool2d((2, 2))
        self.classifier = nn.Sequential(nn.Linear(4 * 2 * 2, 8), nn.ReLU(True), nn.Dropout(p=0.5),
                                        nn.Linear(8, 10))

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


import sys  # added: the test runs this program with exec, so pickle finds the class here
sys.modules["__main__"].VGG = VGG  # added


class models:  # replaced: torchvision.models
    @staticmethod
    def vgg16(weights=None):
        return VGG()


model = models.vgg16(weights='IMAGENET1K_V1')
torch.save(model.state_dict(), 'model_weights.pth')

model = models.vgg16() # we do not specify ``weights``, i.e. create untrained model
print(model.load_state_dict(torch.load('model_weights.pth')))  # print added
print(model.eval())  # print added

torch.save(model, 'model.pth')

try:  # added: PyTorch 2.6 and later load weights only by default
    model = torch.load('model.pth')
except Exception as error:
    print(type(error).__name__, error)
model = torch.load('model.pth', weights_only=False)  # added: as the current tutorial loads it
print(model, model.training, model.classifier[3].bias)  # added
print(model(torch.rand(1, 3, 8, 8)))  # added
