"""Domain logic of Một Cửa Xã. Pure Python: nothing in this package may import Qt."""

APP_NAME = "Một Cửa Xã"
APP_ID = "motcua-xa"
__version__ = "0.1.0"
