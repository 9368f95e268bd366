"""Small helpers for driving endpoints by hand in tests."""
from tcplab import Config, Endpoint, Segment

CPORT, SPORT = 40000, 80


def endpoints(client_isn=1000, server_isn=5000, **config):
    client = Endpoint(CPORT, name="client", config=Config(isn=client_isn, **config))
    server = Endpoint(SPORT, name="server", config=Config(isn=server_isn, **config))
    return client, server


def established(client_isn=1000, server_isn=5000, **config):
    """A client and a server that completed a handshake at t = 0.3; returns (client, server)."""
    client, server = endpoints(client_isn, server_isn, **config)
    server.listen(0.0)
    (syn,) = client.connect(SPORT, 0.0)
    (syn_ack,) = server.receive(syn, 0.1)
    (ack,) = client.receive(syn_ack, 0.2)
    assert server.receive(ack, 0.3) == []
    return client, server


def deliver_all(segments, receiver, now):
    """Hand every segment to *receiver*; return everything it sent back."""
    out = []
    for seg in segments:
        out += receiver.receive(seg, now)
    return out


def to(endpoint, **fields):
    """A segment addressed to *endpoint* from its peer."""
    base = dict(sport=endpoint.remote_port or (SPORT if endpoint.local_port == CPORT else CPORT),
                dport=endpoint.local_port)
    base.update(fields)
    return Segment(**base)


def threads_left_by(function):
    """Call *function*; return the names of the threads it left running and the exception it raised."""
    import threading
    before = set(threading.enumerate())
    try:
        function()
        error = None
    except Exception as raised:
        error = raised
    return sorted(t.name for t in set(threading.enumerate()) - before if t.is_alive()), error


def path_of(trace, host):
    """States without repeats (TIME-WAIT restarting 2MSL is one visit)."""
    states = []
    for state in trace.states(host):
        if not states or states[-1] is not state:
            states.append(state)
    return states
