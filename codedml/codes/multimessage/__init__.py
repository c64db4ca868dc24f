"""Multi-message schemes: workers send a message after each partial computation (UC-MMC, MCC, CPGC, GC-MMC)."""
