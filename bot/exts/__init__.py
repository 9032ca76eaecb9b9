"""The bot's features, one extension (package) each; `bot.app.EXTENSIONS` lists those loaded."""
