import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TRAINING = os.path.dirname(HERE)
ROOT = os.path.dirname(TRAINING)
SHARED = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
sys.path.insert(0, TRAINING)
