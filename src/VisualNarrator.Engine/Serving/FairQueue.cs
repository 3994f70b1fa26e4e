namespace VisualNarrator.Engine.Serving;

/// <summary>
/// The scheduler's admission order: one FIFO per client, served round-robin. A client sending many narrations waits
/// behind its own, not in front of everyone else's: the item at depth d of its line goes after every other client's
/// first d items. Not thread-safe; the scheduler holds its lock around every call.
/// </summary>
/// <typeparam name="T">The queued item (one narration).</typeparam>
public sealed class FairQueue<T> where T : notnull
{
    private readonly LinkedList<Line> _rotation = new();
    private readonly Dictionary<string, Line> _lines = new(StringComparer.Ordinal);
    private readonly Dictionary<T, (Line Line, LinkedListNode<T> Node)> _nodes = [];

    /// <summary>Items waiting, over all clients.</summary>
    public int Count => _nodes.Count;

    /// <summary>Adds <paramref name="item"/> at the end of <paramref name="client"/>'s line; a client with no line yet
    /// gets its turn after every client already waiting.</summary>
    public void Enqueue(string client, T item)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!_lines.TryGetValue(client, out var line))
        {
            line = new Line(client);
            _lines[client] = line;
        }
        _nodes.Add(item, (line, line.Items.AddLast(item)));
        line.Turn ??= _rotation.AddLast(line);
    }

    /// <summary>The item whose turn it is, without taking it.</summary>
    public bool TryPeek(out T item)
    {
        if (_rotation.First is { } turn)
        {
            item = turn.Value.Items.First!.Value;
            return true;
        }
        item = default!;
        return false;
    }

    /// <summary>Takes the item whose turn it is; its client's next turn comes after every other waiting client's.</summary>
    public T Dequeue()
    {
        var line = (_rotation.First ?? throw new InvalidOperationException("the queue is empty")).Value;
        var item = line.Items.First!.Value;
        Remove(item);
        if (line.Turn is not null)
        {
            _rotation.Remove(line.Turn);
            line.Turn = _rotation.AddLast(line);
        }
        return item;
    }

    /// <summary>Withdraws <paramref name="item"/> wherever it waits; false when it is not waiting.</summary>
    public bool Remove(T item)
    {
        if (!_nodes.Remove(item, out var at)) return false;
        var line = at.Line;
        line.Items.Remove(at.Node);
        if (line.Items.Count == 0)
        {
            if (line.Turn is not null) _rotation.Remove(line.Turn);
            line.Turn = null;
            _lines.Remove(line.Client);
        }
        return true;
    }

    /// <summary>Every waiting item in the order it will be taken (index 0 is next), as long as nothing new arrives.</summary>
    public List<T> InTurnOrder()
    {
        var order = new List<T>(Count);
        var cursors = _rotation.Select(l => l.Items.First).ToArray();
        while (order.Count < Count)
        {
            for (var i = 0; i < cursors.Length; i++)
            {
                if (cursors[i] is not { } node) continue;
                order.Add(node.Value);
                cursors[i] = node.Next;
            }
        }
        return order;
    }

    private sealed class Line(string client)
    {
        public string Client { get; } = client;
        public LinkedList<T> Items { get; } = new();
        public LinkedListNode<Line>? Turn { get; set; }
    }
}
