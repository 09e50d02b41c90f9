"""Qt dialogs and widgets of SM Fusion."""
