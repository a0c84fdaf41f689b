# Makes the assets folder installable as the package data "massage_trainer.assets".
