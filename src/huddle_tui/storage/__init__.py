"""The shared folder: the record file format, month scans and their index, the folder store."""
