import sys

from tools.render.cli import main

sys.exit(main())
