using VisualNarrator.DatasetGen.Grammar.Types;

namespace VisualNarrator.DatasetGen.Grammar;

/// <summary>The eight scene types, in report order.</summary>
internal static class Catalog
{
    public static SceneType[] All() =>
    [
        Urban.Create(), People.Create(), Nature.Create(), Indoor.Create(), Animals.Create(), Food.Create(), Transport.Create(), Events.Create(),
    ];
}
