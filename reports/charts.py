"""The colours of the agreement scale, shared by every chart: the sheet's and the sector
report's (drawn in their Typst templates), the results page's (templates/report/_bars.html)
and the workbooks' native Excel charts."""

# ColorBrewer PuOr, 4 classes: diverging and safe for the common colour-vision deficiencies.
COLOURS = {1: "#e66101", 2: "#fdb863", 3: "#b2abd2", 4: "#5e3c99"}
TEXT_ON = {1: "#000000", 2: "#000000", 3: "#000000", 4: "#ffffff"}
NEGATIVE, POSITIVE = (2, 1), (3, 4)   # from the centre line outwards
