"""The page model of both formats: text measured, pages broken, columns fitted, pages numbered, the 目录 counted."""
