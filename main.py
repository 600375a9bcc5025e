"""Launch Latent Explorer: python main.py [MODEL] [--data SPEC] [--screenshot PNG --size WxH]."""

import sys

from explorer.app import main

if __name__ == "__main__":
    sys.exit(main())
