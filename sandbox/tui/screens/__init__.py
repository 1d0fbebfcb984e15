"""The app's screens and dialogs, one module and one .tcss file each; imported when first shown."""
