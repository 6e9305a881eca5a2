using System.Runtime.CompilerServices;

// The image tests check xattrs and device numbers through the same interop the unpacker uses.
[assembly: InternalsVisibleTo("WebEngine.Engine.Tests")]
