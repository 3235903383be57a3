"""The application shell: launch, the main window, settings, About, the icon and the list of features."""
