"""Browser journeys: PARS driven through Debian's Chromium with Playwright."""
