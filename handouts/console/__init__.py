"""The front-desk console: a local web page over the same runs as the command line.

`handouts serve` builds the app (`app.create_app`) and runs it on 127.0.0.1
(`serve.serve`). The pages call the library's runs, `batch.run`
(`prepare_packets`, `write_packets`) and `mail.session` (`open_send`,
`SendSession.run`), and read the ledger; they never check or render anything
a second way. `security` holds the guards every request passes.
"""
