"""The "What am I looking at?" explanations, one per panel, in plain words for students (all in one place).

Keys are the names in ``MainWindow.docks`` plus "scatter" (the central latent map). Each text is a few short
sentences of simple HTML: what is drawn, what the colours mean, and what a click does.
"""

from __future__ import annotations

PANELS: dict[str, str] = {
    "scatter": (
        "Every dot is one image from the data set, placed where the model's encoder puts it: its "
        "<b>code</b>, a short list of numbers (two for the bundled models). The colour is the image's "
        "class (see the legend), so clusters of one colour mean the model has learned what those images "
        "have in common. <b>Click a dot</b> to see the image and its reconstruction in the Inspector; "
        "<b>click empty space</b> to ask the decoder what image lives there. <i>View</i> shows other maps "
        "of the same images (t-SNE, UMAP, PCA of the raw pixels) to compare. <i>Colour</i> can show how "
        "badly each image is rebuilt, or any attribute, instead of the class; <i>Find</i> marks a class "
        "or jumps to an image by its number. <b>Keyboard:</b> the arrow keys move a cursor from dot to "
        "dot, Enter selects, Shift+arrows move through the space and decode."
    ),
    "grid": (
        "These images are made by the <b>decoder</b> alone: each one is decoded from one point of an even "
        "grid laid over the part of the map you see. Pan or zoom the scatter and the grid follows. Where "
        "the images change smoothly from one to the next the latent space is smooth; smudges or sudden "
        "jumps show places the model never learned."
    ),
    "inspector": (
        "The left image is the one you clicked; the right one is what the model rebuilt from its code "
        "(the <b>reconstruction</b>). PSNR (in dB) says how close they are: the higher, the "
        "closer. When you click empty space instead, you see the image decoded from that latent "
        "point: one the model invented."
    ),
    "neighbours": (
        "The images closest to the one you clicked, found two ways: by their <b>codes</b> (neighbours in "
        "the latent space: what the model thinks is similar) and by their <b>pixels</b> (what looks "
        "similar, pixel by pixel). The numbers are distances. Underlined images are neighbours both ways; "
        "on the scatter, blue circles mark the code neighbours and orange squares the pixel neighbours. "
        "Click an image to go to it."
    ),
    "training": (
        "Here you train a new model on the data set shown. Choose the family (a plain autoencoder or a "
        "VAE), the size of the code and how long to train, then press <b>Start</b>. The curves show the "
        "loss going down (lower is better: reconstruction error, plus the KL term for a VAE), and the "
        "dots in the scatter move every epoch as the classes pull apart. <b>Stop</b> keeps what was "
        "learned so far."
    ),
    "posterior": (
        "A VAE does not map an image to one point but to a small <b>cloud</b>: a centre (the mean μ) and "
        "a spread (σ) in every direction, the posterior q(z|x). The red ellipses show that cloud around the "
        "selected image: the solid one holds about 39% of it, the dashed one 86%. The black dots are "
        "random codes drawn from it, z = μ + σ·ε: every one of them decodes to (nearly) the same image. "
        "Tick the box to see the clouds of 40 other images too: where clouds overlap, the space between "
        "images is filled. A plain autoencoder has no cloud, only the point."
    ),
    "holes": (
        "Where do the codes really live? Behind the dots, <b>grey</b> shading is the density of the "
        "encoded images; the dashed rings are where the prior N(0, I) says they should be (1, 2, 3σ). "
        "<b>Orange</b> cells are inside the prior's 2σ ring but nearly empty: <b>holes</b>, where the "
        "decoder was hardly trained. The meter at the top of this tab tells how far <b>off the "
        "map</b> the point you click, move to, interpolate or sample is. Below, samples from N(0, I) "
        "sit beside samples from a mixture fitted to the codes: the second kind avoids the holes."
    ),
    "denoise": (
        "The selected image (Clean) gets noise added (Noisy), then goes through the model "
        "(Reconstruction). Drag the <b>level</b> slider and watch the reconstruction stay clean while the "
        "input gets worse, until the noise wins. The trail on the scatter shows where the noisy image's "
        "code wanders. <b>Noise sweep</b> measures this over many images: PSNR (higher is better) against "
        "the noise level."
    ),
    "attributes": (
        "An arrow on the scatter points from the average code of one group (say, sneakers) to the average "
        "of another (ankle boots): a <b>direction</b> in latent space. The α slider walks the selected "
        "image along that arrow, and the strip shows it change step by step. If only one feature changes "
        "(a shaft grows on the shoe), the model has learned that feature as a direction. <b>Pick A, B, "
        "C</b> tries A − B + C."
    ),
    "interpolate": (
        "Two images, A and B, are two points on the map. The strip shows images decoded from points along "
        "the path between them (drawn on the scatter): a smooth morph means the space between them is "
        "filled with sensible images. <b>Shift-click</b> two dots (or empty space) to choose A and B, and "
        "press <b>Play</b> to animate."
    ),
    "sample": (
        "Brand-new images: each one is decoded from a random code that no real image had (the small × "
        "marks on the scatter). A VAE is trained so that random codes near the centre decode to sensible "
        "images; a plain autoencoder is not, and many of its samples come out as smudges. "
        "<b>Temperature</b> spreads the random codes out; <b>Re-roll</b> draws new ones (the same seed "
        "gives the same images)."
    ),
    "draw": (
        "Draw your own image on the canvas. The encoder turns your drawing into a code, shown as a marker "
        "on the scatter, and the decoder rebuilds it next to your drawing. Land near a cluster and the "
        "reconstruction looks like that class; draw something the model never saw and watch what it makes "
        "of it."
    ),
}
