"""The Textual app: screens, widgets and themes. Only this package imports textual."""
