"""A team's anonymous totals over the shared folder: the aggregation core (aggregation/) wired to the records.

With `[privacy] anonymous = "totals"` in huddle.toml, no anonymous answer is
ever written on its own (docs/aggregation.md, docs/privacy.md):

- cutoff.py   when a day's totals are fixed, and its week (no cryptography: a kept view needs only this)
- dayview.py  a day's totals as they may be shown, kept in the reader's cache between reads
- records.py  the record kinds (share key, day keys, contribution, list, reveal) and reading a day's
- secrets.py  this machine's share key and the seeds of its day keys, kept beside its signing key
- steps.py    the write paths: keys published ahead, a contribution at every check-in, list and reveals
- week.py     a short day's figures pooled into its week, once the week is over
- view.py     what a reader opens of a day, under the k rule on signed placeholders
"""
