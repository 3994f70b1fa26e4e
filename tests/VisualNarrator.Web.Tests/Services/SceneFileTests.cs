using System.Text.Json;
using VisualNarrator.Engine.Generation;

namespace VisualNarrator.Web.Tests.Services;

public sealed class SceneFileTests
{
    [Fact]
    public void Text_csv_and_jsonl_files_give_their_scenes_and_ids()
    {
        Assert.Equal([new SceneItem("1", "a beach"), new SceneItem("3", "a forest")], SceneFile.Parse("s.txt", "a beach\r\n\n a forest \n"));
        var csv = SceneFile.Parse("s.csv", "id,scene,notes\nb1,\"a street, at night\",x\nb2,\"a \"\"quiet\"\" room\nwith a lamp\",\n");
        Assert.Equal([new SceneItem("b1", "a street, at night"), new SceneItem("b2", "a \"quiet\" room\nwith a lamp")], csv);
        var jsonl = SceneFile.Parse("s.jsonl", "{\"id\": 7, \"scene\": \"a lake\"}\n\"a hill\"\n{\"prompt\": \"Describe this image: a bus\"}\n");
        Assert.Equal([new SceneItem("7", "a lake"), new SceneItem("2", "a hill"), new SceneItem("3", "Describe this image: a bus")], jsonl);
    }

    [Theory]
    [InlineData("s.pdf", "x", "s.pdf: unknown scene file type '.pdf'")]
    [InlineData("s.txt", "\n \n", "s.txt: no scenes found")]
    [InlineData("s.csv", "text\nhello\n", "s.csv, line 1: the header needs a 'scene' column")]
    [InlineData("s.csv", "scene,id\n,4\n", "s.csv, line 2: the 'scene' column is empty")]
    [InlineData("s.csv", "scene\n\"open\n", "s.csv, line 2: a quoted field is not closed")]
    [InlineData("s.jsonl", "{\"scene\": \"a\"}\n{oops", "s.jsonl, line 2: not JSON")]
    [InlineData("s.jsonl", "{\"text\": \"a\"}", "s.jsonl, line 1: no \"scene\" (or \"prompt\") string")]
    public void Bad_files_are_refused_naming_the_file_and_line(string name, string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => SceneFile.Parse(name, text));
        Assert.StartsWith(message, ex.Message);
    }

    [Fact]
    public void Results_are_written_as_jsonl_and_csv_through_a_temp_file()
    {
        SceneResult[] results = [new("1", "a beach", "Describe this image: a beach", "Sand, \"waves\".", "stop", 5, 7, null), new("2", "x", "p", "", "error", 6, 0, "too long")];
        var lines = SceneFile.ToJsonl(results).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var first = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal("Sand, \"waves\".", first.GetProperty("narration").GetString());
        Assert.Equal(5u, first.GetProperty("seed").GetUInt32());
        Assert.Equal("too long", JsonDocument.Parse(lines[1]).RootElement.GetProperty("error").GetString());
        Assert.Equal("id,scene,narration,finish,seed,generated_tokens,error\n1,a beach,\"Sand, \"\"waves\"\".\",stop,5,7,\n2,x,,error,6,0,too long\n", SceneFile.ToCsv(results));

        var dir = Directory.CreateTempSubdirectory("vn-scenes");
        try
        {
            var path = Path.Combine(dir.FullName, "out.jsonl");
            SceneFile.Write(path, results);
            Assert.Equal(SceneFile.ToJsonl(results), File.ReadAllText(path));
            Assert.False(File.Exists(path + ".tmp"));
            Assert.Throws<FormatException>(() => SceneFile.Write(Path.Combine(dir.FullName, "out.txt"), results));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
