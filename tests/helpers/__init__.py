"""What several test modules share: organizations, settings, databases, servers, HTML and
the browser harness. Test modules import from here, never from each other."""
