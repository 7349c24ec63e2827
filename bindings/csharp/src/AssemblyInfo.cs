using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("TogetherVideo.Tests")]
