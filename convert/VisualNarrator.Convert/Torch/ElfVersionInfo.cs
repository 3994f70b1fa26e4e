using System.Buffers.Binary;
using System.Text;

namespace VisualNarrator.Convert.Torch;

/// <summary>One symbol-version requirement of an ELF shared object (an entry of <c>.gnu.version_r</c>).</summary>
/// <param name="Library">The library the version is required from (vn_file), e.g. <c>libstdc++.so.6</c>.</param>
/// <param name="Version">The version name (vna_name), e.g. <c>GLIBCXX_3.4.32</c>.</param>
/// <param name="Index">The version index symbols refer to through <c>.gnu.version</c>.</param>
/// <param name="IsWeak">Whether <c>VER_FLG_WEAK</c> is set: the dynamic linker then does not fail when the version is missing.</param>
/// <param name="FlagsOffset">File offset of the entry's 16-bit vna_flags field.</param>
public sealed record ElfVersionNeed(string Library, string Version, int Index, bool IsWeak, long FlagsOffset);

/// <summary>
/// Reads (and patches) the GNU symbol-versioning tables of a 64-bit little-endian ELF shared object: the versions it
/// requires (<c>.gnu.version_r</c>), the versions it defines (<c>.gnu.version_d</c>), which undefined dynamic symbols
/// need which version, and how many relocations refer to each symbol. Only what the TorchSharp start-up fix needs.
/// </summary>
public sealed class ElfVersionInfo
{
    private const uint ShtRela = 4, ShtRel = 9, ShtDynsym = 11, ShtVerdef = 0x6ffffffd, ShtVerneed = 0x6ffffffe, ShtVersym = 0x6fffffff;

    /// <summary>The <c>VER_FLG_WEAK</c> bit of vna_flags.</summary>
    public const ushort VerFlagWeak = 0x2;

    private readonly byte[] _data;
    private readonly List<(uint Type, long Offset, long Size, uint Link, long EntSize)> _sections = [];

    private ElfVersionInfo(string path, byte[] data)
    {
        Path = path;
        _data = data;
        Parse();
    }

    /// <summary>The file that was read.</summary>
    public string Path { get; }

    /// <summary>Versions the object requires from other libraries.</summary>
    public IReadOnlyList<ElfVersionNeed> Needs { get; private set; } = [];

    /// <summary>Versions the object defines (for a library such as libstdc++: GLIBCXX_3.4, ..., GLIBCXX_3.4.30).</summary>
    public IReadOnlySet<string> Definitions { get; private set; } = new HashSet<string>();

    /// <summary>Undefined dynamic symbols by the version index they require, with the number of relocations that refer to each.</summary>
    public IReadOnlyList<(string Name, int VersionIndex, int Relocations)> UndefinedSymbols { get; private set; } = [];

    /// <summary>Reads a file.</summary>
    /// <exception cref="InvalidDataException">The file is not a 64-bit little-endian ELF object with section headers.</exception>
    public static ElfVersionInfo Read(string path) => new(path, File.ReadAllBytes(path));

    /// <summary>Returns the file's bytes with <see cref="VerFlagWeak"/> set on the given requirements.</summary>
    public byte[] WithWeakNeeds(IEnumerable<ElfVersionNeed> needs)
    {
        var copy = (byte[])_data.Clone();
        foreach (var need in needs)
        {
            var span = copy.AsSpan((int)need.FlagsOffset, 2);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(span) | VerFlagWeak));
        }
        return copy;
    }

    private void Parse()
    {
        var d = _data;
        if (d.Length < 64 || d[0] != 0x7f || d[1] != (byte)'E' || d[2] != (byte)'L' || d[3] != (byte)'F')
            throw new InvalidDataException($"{Path} is not an ELF file");
        if (d[4] != 2 || d[5] != 1)
            throw new InvalidDataException($"{Path} is not a 64-bit little-endian ELF file");
        var shoff = U64(0x28);
        var shentsize = U16(0x3A);
        var shnum = U16(0x3C);
        if (shoff == 0 || shnum == 0 || shentsize < 64 || shoff + (long)shnum * shentsize > d.Length)
            throw new InvalidDataException($"{Path} has no usable section headers");
        for (var i = 0; i < shnum; i++)
        {
            var h = shoff + (long)i * shentsize;
            var (type, off, size, link, ent) = (U32(h + 4), U64(h + 24), U64(h + 32), U32(h + 40), U64(h + 56));
            if (type != 8 /* NOBITS */ && (off < 0 || size < 0 || off + size > d.Length))
                throw new InvalidDataException($"{Path}: section {i} lies outside the file");
            _sections.Add((type, off, size, link, ent));
        }

        var needs = new List<ElfVersionNeed>();
        foreach (var s in _sections.Where(s => s.Type == ShtVerneed))
        {
            var strtab = _sections[(int)s.Link];
            long at = s.Offset;
            while (true)
            {
                var cnt = U16(at + 2);
                var file = Str(strtab.Offset, U32(at + 4));
                long aux = at + U32(at + 8);
                for (var j = 0; j < cnt; j++)
                {
                    var flags = U16(aux + 4);
                    needs.Add(new ElfVersionNeed(file, Str(strtab.Offset, U32(aux + 8)), U16(aux + 6), (flags & VerFlagWeak) != 0, aux + 4));
                    var nextAux = U32(aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                var next = U32(at + 12);
                if (next == 0) break;
                at += next;
            }
        }
        Needs = needs;

        var defs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in _sections.Where(s => s.Type == ShtVerdef))
        {
            var strtab = _sections[(int)s.Link];
            long at = s.Offset;
            while (true)
            {
                if (U16(at + 6) > 0) defs.Add(Str(strtab.Offset, U32(at + U32(at + 12))));
                var next = U32(at + 16);
                if (next == 0) break;
                at += next;
            }
        }
        Definitions = defs;

        var dynsymIndex = _sections.FindIndex(s => s.Type == ShtDynsym);
        var versym = _sections.FirstOrDefault(s => s.Type == ShtVersym);
        if (dynsymIndex < 0 || versym.Type == 0) return;
        var dynsym = _sections[dynsymIndex];
        var dynstr = _sections[(int)dynsym.Link];
        var count = (int)(dynsym.Size / 24);
        var relocations = new int[count];
        foreach (var r in _sections.Where(s => (s.Type == ShtRela || s.Type == ShtRel) && s.Link == dynsymIndex))
        {
            var ent = r.EntSize > 0 ? r.EntSize : (r.Type == ShtRela ? 24 : 16);
            for (long at = r.Offset; at + ent <= r.Offset + r.Size; at += ent)
            {
                var sym = (long)(U64(at + 8) >> 32);
                if (sym > 0 && sym < count) relocations[sym]++;
            }
        }
        var undefined = new List<(string, int, int)>();
        for (var i = 1; i < count; i++)
        {
            var sym = dynsym.Offset + i * 24L;
            if (U16(sym + 6) != 0) continue; // st_shndx != SHN_UNDEF
            var version = U16(versym.Offset + i * 2L) & 0x7fff;
            undefined.Add((Str(dynstr.Offset, U32(sym)), version, relocations[i]));
        }
        UndefinedSymbols = undefined;
    }

    private ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(Slice(at, 2));
    private uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(Slice(at, 4));
    private long U64(long at) => (long)BinaryPrimitives.ReadUInt64LittleEndian(Slice(at, 8));

    private ReadOnlySpan<byte> Slice(long at, int length) =>
        at >= 0 && at + length <= _data.Length ? _data.AsSpan((int)at, length)
            : throw new InvalidDataException($"{Path}: a version table points outside the file (offset {at})");

    private string Str(long table, long offset)
    {
        var start = table + offset;
        _ = Slice(start, 1);
        var end = Array.IndexOf(_data, (byte)0, (int)start);
        if (end < 0) throw new InvalidDataException($"{Path}: unterminated string at offset {start}");
        return Encoding.ASCII.GetString(_data, (int)start, end - (int)start);
    }
}
