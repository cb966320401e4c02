"""Research tools: one-off experiments kept runnable (python -m training.tools.<name>); nothing in the core imports them."""
