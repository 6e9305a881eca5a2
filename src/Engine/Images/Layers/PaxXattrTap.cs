using System.Text;

namespace WebEngine.Engine.Images.Layers;

/// <summary>
/// A read-only pass-through placed under a <see cref="System.Formats.Tar.TarReader"/>: it follows the tar's block
/// structure in the bytes the reader pulls and keeps each entry's xattr records (SCHILY.xattr.&lt;name&gt; with the raw
/// value, LIBARCHIVE.xattr.&lt;url-encoded name&gt; in base64) as bytes. System.Formats.Tar decodes every PAX value as
/// UTF-8, which destroys binary values such as security.capability; this sees them before that decoding. The inner
/// stream stays open.
/// </summary>
internal sealed class PaxXattrTap(Stream inner) : Content.ReadObserverStream(inner)
{
    private const int BlockSize = 512;
    private const int MaxPaxHeaderSize = 1 << 20;
    private const string SchilyPrefix = "SCHILY.xattr.";
    private const string LibarchivePrefix = "LIBARCHIVE.xattr.";
    private static readonly IReadOnlyDictionary<string, byte[]> None = new Dictionary<string, byte[]>();

    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _dataLeft;
    private long _paddingLeft;
    private MemoryStream? _paxData;
    private Dictionary<string, byte[]>? _pendingXattrs;
    private long? _pendingSize;

    /// <summary>How many entries (members a TarReader returns: files and global headers, not PAX or GNU long-name headers) have begun.</summary>
    public int EntriesSeen { get; private set; }

    /// <summary>The xattrs of the entry whose header was read last.</summary>
    public IReadOnlyDictionary<string, byte[]> CurrentXattrs { get; private set; } = None;

    protected override void Observe(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_dataLeft > 0)
            {
                var n = (int)Math.Min(_dataLeft, data.Length);
                _paxData?.Write(data[..n]);
                _dataLeft -= n;
                data = data[n..];
                if (_dataLeft == 0)
                    FinishData();
            }
            else if (_paddingLeft > 0)
            {
                var n = (int)Math.Min(_paddingLeft, data.Length);
                _paddingLeft -= n;
                data = data[n..];
            }
            else
            {
                var n = Math.Min(BlockSize - _headerFill, data.Length);
                data[..n].CopyTo(_header.AsSpan(_headerFill));
                _headerFill += n;
                data = data[n..];
                if (_headerFill == BlockSize)
                {
                    _headerFill = 0;
                    BeginMember();
                }
            }
        }
    }

    private void BeginMember()
    {
        if (_header.AsSpan().IndexOfAnyExcept((byte)0) < 0)
            return; // an end-of-archive block
        var size = ParseSize(_header.AsSpan(124, 12));
        switch ((char)_header[156])
        {
            case 'x':
                if (size > MaxPaxHeaderSize)
                    throw new InvalidDataException($"a PAX header of {size} bytes (more than {MaxPaxHeaderSize})");
                _paxData = new MemoryStream((int)size);
                break;
            case 'g':
                // TarReader returns a global header as an entry of its own; it carries no file's xattrs.
                EntriesSeen++;
                CurrentXattrs = None;
                break;
            case 'L' or 'K':
                break;
            default:
                EntriesSeen++;
                CurrentXattrs = _pendingXattrs ?? None;
                size = _pendingSize ?? size;
                _pendingXattrs = null;
                _pendingSize = null;
                break;
        }
        _dataLeft = size;
        _paddingLeft = (BlockSize - size % BlockSize) % BlockSize;
        if (size == 0)
            FinishData();
    }

    private void FinishData()
    {
        if (_paxData is null)
            return;
        ParseRecords(_paxData.GetBuffer().AsSpan(0, (int)_paxData.Length));
        _paxData = null;
    }

    /// <summary>PAX records are "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n", the length counting the whole record.</summary>
    private void ParseRecords(ReadOnlySpan<byte> records)
    {
        var xattrs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (!records.IsEmpty && records[0] != 0)
        {
            var space = records.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(records[..space], out var length) || length <= space + 1 || length > records.Length || records[length - 1] != '\n')
                throw new InvalidDataException("a malformed PAX record");
            var record = records[(space + 1)..(length - 1)];
            records = records[length..];
            var equals = record.IndexOf((byte)'=');
            if (equals < 0)
                throw new InvalidDataException("a PAX record without '='");
            var key = Encoding.UTF8.GetString(record[..equals]);
            var value = record[(equals + 1)..];
            if (key == "size")
                _pendingSize = long.TryParse(value, out var size) && size >= 0 ? size : throw new InvalidDataException("a PAX size record that is not a size");
            else if (key.StartsWith(SchilyPrefix, StringComparison.Ordinal))
                xattrs[key[SchilyPrefix.Length..]] = value.ToArray();
            else if (key.StartsWith(LibarchivePrefix, StringComparison.Ordinal))
                xattrs[Uri.UnescapeDataString(key[LibarchivePrefix.Length..])] = DecodeBase64(value);
        }
        _pendingXattrs = xattrs.Count == 0 ? null : xattrs;
    }

    /// <summary>libarchive writes base64 without '=' padding.</summary>
    private static byte[] DecodeBase64(ReadOnlySpan<byte> value)
    {
        var text = Encoding.ASCII.GetString(value).TrimEnd('=');
        try
        {
            return Convert.FromBase64String(text + new string('=', (4 - text.Length % 4) % 4));
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"a LIBARCHIVE.xattr record that is not base64: {e.Message}", e);
        }
    }

    /// <summary>The size field: octal digits, or base-256 (GNU) when the high bit of the first byte is set.</summary>
    private static long ParseSize(ReadOnlySpan<byte> field)
    {
        try
        {
            return ParseNumber(field);
        }
        catch (OverflowException e)
        {
            throw new InvalidDataException("a tar header whose size does not fit 63 bits", e);
        }
    }

    private static long ParseNumber(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            long binary = field[0] & 0x7f;
            foreach (var b in field[1..])
                binary = checked((binary << 8) | b);
            return binary;
        }
        long octal = 0;
        foreach (var b in field.TrimStart((byte)' '))
        {
            if (b is 0 or (byte)' ')
                break;
            if (b is < (byte)'0' or > (byte)'7')
                throw new InvalidDataException("a tar header whose size is not an octal number");
            octal = checked(octal * 8 + (b - '0'));
        }
        return octal;
    }
}
