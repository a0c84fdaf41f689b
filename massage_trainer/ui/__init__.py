"""The Qt layer: one SessionController adapter and the widgets that listen to it."""
