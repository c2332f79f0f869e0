"""The reference server for the records API (`huddle serve`), an optional extra.

`pip install 'huddle-tui[server]'` brings starlette and uvicorn. The server
keeps records in a shared folder through the same FolderStore the app uses,
so a team can point its clients at it instead of (or as well as) a share.
"""
