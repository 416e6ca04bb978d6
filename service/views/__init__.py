"""What pages and PDFs share: the words, dates and sentences people read (`labels`), below both `pdf` and `web`."""
