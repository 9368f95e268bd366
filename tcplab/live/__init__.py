"""Real traffic: loopback captures, network namespaces, the TUN driver against Linux."""
