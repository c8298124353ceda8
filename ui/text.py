# ruff: noqa: E501  (Chinese sentences count double-width; splitting them helps no one)
"""The web app's words in English and Simplified Chinese, keyed for ``gr.I18n``.

Gradio translates these in the browser (the browser's language picks the table; the footer's
Settings -> Language switches it). Only static text is translated: error messages computed on
the server stay in English. Keep both tables' keys identical (a test checks).
"""

from __future__ import annotations

from gan_core.families import ABOUT_ORDER, FAMILIES

EN: dict[str, str] = {
    # --- page ---
    "title": "# GAN Studio",
    "intro": (
        "Classic generative models you can play with: autoencoders, VAEs and GANs trained on "
        "MNIST digits and CelebA faces. Everything runs on a CPU. "
        "**Language / 语言:** the page follows your browser's language; switch it under "
        "*Settings* (footer) → *Language*."
    ),
    "seed": "Seed",
    "randomise": "Random seed",
    "model": "Model",
    "count": "Number of images",
    "download": "Download",
    "crop": "Crop",
    "crop.auto": "Auto (find the face and align it like CelebA's faces)",
    "crop.aligned": "CelebA-aligned face (central 79% of the width)",
    "crop.centre": "Centre square of the photo",
    "crop.view": "Your photo: the face found (green) and the square the model sees (orange)",
    "crop.info": (
        "The models saw aligned 64×64 CelebA faces. Auto finds the face (the largest, if there "
        "are several), turns and scales it so the eyes and nose sit where CelebA's faces have "
        "them, and shows the box it used; with no face found it warns and takes the centre "
        "square. Works best with one face looking at the camera."
    ),
    "photo": "Face photo (any size; JPEG, PNG, WebP…)",
    "example_seed": "Example face seed",
    "example": "Use a generated face",
    "note": "Notes",
    # --- tabs ---
    "tab.sample": "Sample",
    "tab.interpolate": "Interpolate",
    "tab.arithmetic": "Vector arithmetic",
    "tab.infogan": "InfoGAN codes",
    "tab.transfer": "Attribute transfer",
    "tab.inpaint": "Inpainting",
    "tab.compare": "Compare models",
    "tab.invert": "Edit your photo",
    "tab.timeline": "Training timeline",
    "tab.about": "About",
    # --- Sample ---
    "sample.help": (
        "Draw random latents and decode them. Image *i* comes from seed *seed + i*, so a seed "
        "always gives the same picture."
    ),
    "sample.truncation": "Truncation ψ",
    "sample.truncation.info": (
        "Scales the latent towards the mean: lower ψ = less variety, cleaner images (the "
        "truncation trick; most visible on GANs)."
    ),
    "sample.go": "Generate",
    "sample.grid": "Samples",
    # --- Interpolate ---
    "interp.help": (
        "Walk through latent space from seed A to seed B. *slerp* follows the sphere where "
        "Gaussian latents live; *lerp* cuts straight through the middle, where images often "
        "fade."
    ),
    "interp.seed_a": "Seed A (start)",
    "interp.seed_b": "Seed B (end)",
    "interp.frames": "Frames",
    "interp.method": "Path",
    "interp.go": "Interpolate",
    "interp.strip": "Frames A → B",
    "interp.gif": "Animation (GIF)",
    "interp.mp4": "Video (MP4)",
    "interp.pick": "Pick the ends by clicking candidates",
    "interp.candidates_seed": "First candidate seed",
    "interp.candidates_count": "Candidates",
    "interp.show": "Show candidates",
    "interp.target": "A click sets",
    "interp.gallery": "Candidates (click one)",
    # --- Vector arithmetic ---
    "arith.help": (
        "The DCGAN paper's famous figure: average the latents of a few faces per concept, then "
        "compute **A − B + C**, e.g. *man with glasses − man + woman ≈ woman with glasses*. "
        "Fill each row by clicking faces in the gallery, or let the attribute judge pick them. "
        "A concept vector carries everything its exemplars share: with the paper's three, "
        "each face's own look (who, pose) swamps the concept. And glasses are rarer on women "
        "(in CelebA 3 in 100 women wear them, 12 in 100 men), so the step that puts glasses on "
        "a man falls just short of a woman's: even a perfect generator gets a woman with "
        "glasses only about 2 times in 5 from three random exemplars. Thirty exemplars average "
        "the faces' own look away. Their average lies near the centre of the latent space, "
        "where the generator draws a bland mean face; rescaling it to the usual length (the "
        "shell) keeps the concept, lengthens the step, and makes the face vivid again."
    ),
    "arith.gallery_seed": "First gallery seed",
    "arith.gallery_count": "Faces in the gallery",
    "arith.show": "Show faces",
    "arith.gallery": "Generated faces (click to add to the chosen row)",
    "arith.target": "A click adds the face to",
    "arith.preset": "Preset",
    "arith.preset.glasses": "Glasses: man with glasses − man + woman",
    "arith.preset.smiling": "Smile: smiling woman − neutral woman + neutral man",
    "arith.autopick": "Auto-pick with the attribute judge",
    "arith.row_a": "Concept A seeds (e.g. man with glasses)",
    "arith.row_b": "Concept B seeds (e.g. man without glasses)",
    "arith.row_c": "Concept C seeds (e.g. woman without glasses)",
    "arith.noise": "Noise around the result",
    "arith.noise_seed": "Noise seed",
    "arith.go": "Compute A − B + C",
    "arith.concepts": "Concept rows A, B, C: the exemplars, then their average latent",
    "arith.per_concept": "Exemplars per concept",
    "arith.per_concept_info": "3 is the paper's; more cancel what the faces do not share",
    "arith.shell": "Rescale averages to the latent shell",
    "arith.shell_info": "without it, an average of many faces decodes to a bland mean face",
    "arith.result": "A − B + C (centre) with small noise around it",
    # --- InfoGAN ---
    "info.help": (
        "InfoGAN learns codes that mean something without being told what: a 10-way category "
        "(usually the digit, in its own order) and continuous codes (often slant and stroke "
        "width). Drag a slider and the digit updates live."
    ),
    "info.category": "Category code (learned; usually the digit)",
    "info.code": "Continuous code",
    "info.image": "Digit",
    "info.category_short": "category",
    "info.sweep_code": "Code to sweep",
    "info.sweep_steps": "Steps from −2 to 2",
    "info.sweep": "Sweep one code",
    "info.sweep_grid": "Sweep (rows: categories, or noise seeds for the category sweep)",
    # --- Transfer ---
    "transfer.help": (
        "CVAE-GAN encodes a face together with its attributes, then decodes it with the "
        "attributes you tick. Upload a face or use a generated one; the ticks start at what "
        "the model's classifier sees."
    ),
    "transfer.predicted": "Predicted attributes",
    "transfer.attributes": "Attributes of the edited face",
    "transfer.strength": "Edit strength",
    "transfer.strength.info": (
        "How far each changed attribute is pushed: 1 is the plain condition, which leaves about "
        "one glasses edit in six and a quarter of gender edits undone; 2 makes the model commit; "
        "3 exaggerates. 0 = reconstruction."
    ),
    "transfer.go": "Apply attributes",
    "transfer.original": "Original (64×64 crop)",
    "transfer.reconstruction": "Reconstruction",
    "transfer.edited": "Edited",
    # --- Inpainting ---
    "inpaint.help": (
        "Upload a face photo (or make an example face), paint over part of it with the brush in "
        "the editor (or choose a preset mask) and CVAE-GAN fills the hole from the rest of the "
        "face. The painted area is cropped like the face."
    ),
    "inpaint.editor": "Paint the hole over the face",
    "inpaint.mask": "Mask",
    "inpaint.mask.info": "After painting with the brush, choose “What I painted”.",
    "inpaint.mask.painted": "What I painted",
    "inpaint.mask.eyes": "Eyes",
    "inpaint.mask.mouth": "Mouth",
    "inpaint.mask.centre": "Centre box",
    "inpaint.mask.lower_face": "Lower face",
    "inpaint.steps": "Refinement steps",
    "inpaint.go": "Fill the hole",
    "inpaint.masked": "Masked",
    "inpaint.filled": "Filled",
    # --- Compare ---
    "compare.help": (
        "The same number of samples from each model, side by side: autoencoders blur, "
        "adversarial training sharpens."
    ),
    "compare.go": "Compare",
    "compare.ae-mnist": (
        "**AE (MNIST)**: a plain autoencoder has no prior, so codes drawn from a Gaussian fitted "
        "to its training codes often fall between digits: smudgy hybrids."
    ),
    "compare.vae-mnist": (
        "**VAE (MNIST)**: the KL term shapes a smooth Gaussian code space, so samples are "
        "plausible digits, but the pixel likelihood averages possibilities: soft edges."
    ),
    "compare.gan-mnist": (
        "**GAN (MNIST)**: the discriminator punishes anything that looks fake, including blur, "
        "so strokes are crisp, with some noisy pixels from the MLP generator."
    ),
    "compare.vae-celeba64": (
        "**VAE (faces)**: close to the average of all faces that fit the code: smooth skin, "
        "soft hair and background, because a per-pixel likelihood (binary cross-entropy here) "
        "is best served by averaging the possibilities. This one also learned from a feature "
        "loss and draws its codes from a mixture of five Gaussians fitted to where its training "
        "faces' codes really landed, which sharpens it and breaks fewer faces (well ahead of "
        "blurred photos) but leaves it behind the GANs."
    ),
    "compare.dcgan-celeba64": (
        "**DCGAN (faces)**: convolutions plus an adversary give sharp eyes and hair edges; some "
        "samples are distorted, since nothing forces it to cover every face."
    ),
    "compare.wgan-gp-celeba64": (
        "**WGAN-GP (faces)**: a DCGAN-shaped generator trained against a Wasserstein critic with "
        "a gradient penalty: its losses track quality and training did not diverge. It matches "
        "real faces' tones (an older critic with layer norm could not see contrast and drew no "
        "dark pixel), and it covers more of the face distribution than the DCGAN (higher "
        "recall, see below), though some faces are still distorted."
    ),
    # --- Invert ---
    "invert.help": (
        "Step 1 finds the DCGAN latent whose face looks most like your photo (gradient descent "
        "on z, about 10–30 s on a CPU). Step 2 adds a concept vector, found by the attribute "
        "judge among generated faces, with a strength slider."
    ),
    "invert.steps": "Optimisation steps",
    "invert.go": "1. Find the photo in DCGAN's latent space",
    "invert.face": "Your face",
    "invert.reconstruction": "DCGAN's version",
    "invert.concept": "Concept",
    "invert.strength": "Strength",
    "invert.strength.info": "Negative values remove the concept.",
    "invert.apply": "2. Add the concept",
    "invert.edited": "Edited",
    # --- Timeline ---
    "timeline.help": (
        "Images from the same fixed noise at checkpoints during training: watch blobs turn "
        "into digits and faces."
    ),
    "timeline.frame": "Checkpoint",
    "timeline.image": "Samples at this step",
    "timeline.show": "Show timeline",
    # --- About ---
    "about.card": "Model card",
    "about.show": "Show the model card",
    # --- Training playground ---
    "tab.playground": "Training playground",
    "playground.help": (
        "Train small GANs live on 2-D data and watch what happens: the real points, the "
        "generated ones, the discriminator's (or critic's) view of the plane and where it "
        "pushes each generated point. Pick a second objective to train both side by side from "
        "the same seed and the same starting networks. Runs queue one at a time on the server.\n\n"
        "The tab opens on a recorded lesson: GAN against WGAN-GP on the ring, seed 2. After "
        "2,000 steps WGAN-GP covers all 8 modes, on every seed tried; the clipped WGAN has "
        "barely started. The GAN is chaotic: on some seeds it collapses onto one spot (0 of 8 "
        "covered), on others it covers the ring and drops modes again, and which seeds depends "
        "even on the CPU's rounding (seed 2 collapses on an Intel Xeon; on an AMD EPYC try "
        "seeds 1 and 6)."
    ),
    "playground.target": "Data",
    "playground.target.ring8": "Ring of 8 Gaussians",
    "playground.target.grid25": "5×5 grid of Gaussians",
    "playground.target.moons": "Two moons",
    "playground.target.spiral": "Spiral",
    "playground.objective": "Objective",
    "playground.compare": "Side by side with",
    "playground.compare.info": "A second objective trained in step (same data, seed and settings).",
    "playground.none": "Nothing (one run)",
    "playground.minimax": "GAN: minimax generator loss",
    "playground.minimax.info": (
        "Minimise log(1 − D(G(z))) as in the original game, instead of maximising log D(G(z)): "
        "watch the arrows vanish once D is sure."
    ),
    "playground.steps": "Generator steps",
    "playground.advanced": "Networks and optimiser",
    "playground.width": "Width (units per hidden layer)",
    "playground.width.info": "Both networks have three hidden layers.",
    "playground.lr": "Learning rate (empty: the objective's own)",
    "playground.lr.info": "The discriminator's / critic's. GAN 1e-3 (Adam), WGAN 5e-5 (RMSProp), WGAN-GP 1e-3 (Adam, β = (0, 0.9); its generator learns at 0.3 × this).",
    "playground.n_critic": "Critic steps per generator step",
    "playground.n_critic.info": "WGAN and WGAN-GP (5 in both papers); the GAN takes one.",
    "playground.run": "Train",
    "playground.stop": "Stop",
    "playground.frame": "Training, live",
    "playground.metrics": "Metrics",
    "playground.objectives.title": "The three objectives",
    "playground.objectives": (
        "**GAN.** The discriminator learns the probability that a point is real; against the "
        "best discriminator, the generator minimises the Jensen–Shannon divergence between the "
        "real and the generated distribution. While the two hardly overlap that divergence is "
        "stuck near log 2 and says nothing about which way to move: with the minimax loss the "
        "arrows die out as soon as D is confident, and even the non-saturating loss lets the "
        "generator pile onto the few modes D currently likes (mode collapse).\n\n"
        "**WGAN.** The critic gives scores, not probabilities: E f(real) − E f(generated) "
        "estimates the Wasserstein-1 distance, the average distance the generated mass has to "
        "travel to become the real one. It shrinks smoothly as the distributions approach, "
        "overlap or not, so the arrows keep pointing at the data. The estimate needs a "
        "1-Lipschitz critic, and clipping every weight to ±0.01 is a crude way to get one: the "
        "slope bound is unknown, the critic is pushed towards overly simple shapes, and "
        "training must go slowly (RMSProp at 5e-5).\n\n"
        "**WGAN-GP.** Instead of clipping, a gradient penalty λ(‖∇f(x̂)‖ − 1)², on random "
        "points between real and generated samples, keeps the critic's slope close to 1 "
        "where it matters. The critic can take whatever shape the distance needs, its "
        "estimate is on the real distance's scale, and the generator spreads over every mode. "
        "Here the critic learns faster than the generator (1e-3 against 3e-4): the estimate "
        "is only a distance once the critic has caught up, and with both at one rate the run "
        "sometimes swung back and forth for thousands of steps first."
    ),
    "playground.reading.title": "How to read the picture and the metrics",
    "playground.reading": (
        "- **Background**: the discriminator's probability that a point is real (green: real, "
        "purple: generated; the black line is D = 0.5), or the critic's score (the line lies "
        "halfway between its mean on real and on generated points).\n"
        "- **Crosses**: real samples (green) and generated ones (purple). Circles: 3σ around "
        "each mode.\n"
        "- **Arrows**: on generated points from a grid of latents (over two of the eight "
        "latent axes, the others at 0), the direction the "
        "generator's loss pushes each one (minus its gradient). GAN and WGAN-GP arrows share "
        "one scale; WGAN's are rescaled, since its clipped critic's slope is tiny and "
        "arbitrary.\n"
        "- **Modes covered**: a mode counts when at least 1% of 2,000 generated points lie "
        "within 3σ of it. For the moons and the spiral the modes are equal-length segments of "
        "the curve. **High quality**: the share of points within 3σ of some mode.\n"
        "- **Sliced W**: the sliced Wasserstein-1 distance between 2,000 generated and 2,000 "
        "real points (the exact 1-D distance, averaged over 64 directions); comparable across "
        "objectives. **Critic W**: the critic's own estimate (WGAN's is scaled by its unknown "
        "Lipschitz constant).\n"
        "- **Seeds** fix the data, the networks' start and every noise draw: the same settings "
        "give the same run."
    ),
}

ZH: dict[str, str] = {
    "title": "# GAN Studio 生成模型工作室",
    "intro": (
        "可以动手玩的经典生成模型：在 MNIST 手写数字和 CelebA 人脸上训练的自编码器、VAE 和 GAN，"
        "全部在 CPU 上运行。**Language / 语言：** 页面跟随浏览器语言；也可在页脚的"
        "“设置”→“语言”中切换。"
    ),
    "seed": "种子",
    "randomise": "随机种子",
    "model": "模型",
    "count": "图像数量",
    "download": "下载",
    "crop": "裁剪",
    "crop.auto": "自动（检测人脸并按 CelebA 人脸对齐）",
    "crop.aligned": "CelebA 对齐人脸（宽度中央 79%）",
    "crop.centre": "照片的中心正方形",
    "crop.view": "你的照片：找到的人脸（绿色）和模型看到的方框（橙色）",
    "crop.info": (
        "模型见过的是对齐的 64×64 CelebA 人脸。自动模式会检测人脸（有多张时取最大的一张），"
        "旋转并缩放，使眼睛和鼻子落在 CelebA 人脸的位置，并标出所用的方框；"
        "找不到人脸时会给出警告并取中心正方形。一张正对镜头的人脸效果最好。"
    ),
    "photo": "人脸照片（任意尺寸；JPEG、PNG、WebP…）",
    "example_seed": "示例人脸种子",
    "example": "使用一张生成的人脸",
    "note": "说明",
    "tab.sample": "采样",
    "tab.interpolate": "插值",
    "tab.arithmetic": "向量运算",
    "tab.infogan": "InfoGAN 编码",
    "tab.transfer": "属性迁移",
    "tab.inpaint": "图像修复",
    "tab.compare": "模型对比",
    "tab.invert": "编辑你的照片",
    "tab.timeline": "训练过程",
    "tab.about": "关于",
    "sample.help": "随机抽取隐变量并解码。第 *i* 张图来自种子 *seed + i*，同一个种子总是得到同一张图。",
    "sample.truncation": "截断 ψ",
    "sample.truncation.info": "把隐变量向均值收缩：ψ 越小，多样性越低、图像越干净（截断技巧，GAN 上最明显）。",
    "sample.go": "生成",
    "sample.grid": "样本",
    "interp.help": (
        "在隐空间里从种子 A 走到种子 B。*slerp* 沿着高斯隐变量所在的球面走；*lerp* 直线穿过中心，"
        "那里的图像常常变淡。"
    ),
    "interp.seed_a": "种子 A（起点）",
    "interp.seed_b": "种子 B（终点）",
    "interp.frames": "帧数",
    "interp.method": "路径",
    "interp.go": "插值",
    "interp.strip": "A → B 各帧",
    "interp.gif": "动画（GIF）",
    "interp.mp4": "视频（MP4）",
    "interp.pick": "点击候选图选择两端",
    "interp.candidates_seed": "第一个候选种子",
    "interp.candidates_count": "候选数量",
    "interp.show": "显示候选",
    "interp.target": "点击设置",
    "interp.gallery": "候选图（点击选择）",
    "arith.help": (
        "DCGAN 论文中著名的图：每个概念取几张人脸的隐变量平均，再计算 **A − B + C**，例如"
        "*戴眼镜的男人 − 男人 + 女人 ≈ 戴眼镜的女人*。点击图库中的人脸填满每一行，或让属性判别器自动挑选。"
        "概念向量带着样例的所有共同点：只用论文里的三张时，每张脸自己的特征（是谁、姿态）盖过了概念。"
        "而且女性戴眼镜更少（CelebA 中每 100 位女性约 3 位戴眼镜，男性约 12 位），给男人戴上眼镜的那一步"
        "对女人来说差一点点：即使是完美的生成器，用三张随机样例也只有约五分之二的结果是戴眼镜的女人。"
        "用三十张，个别特征就平均掉了。它们的平均落在隐空间中心附近，生成器在那里只画出平淡的“平均脸”；"
        "把它缩放回通常的长度（球壳上）能保留概念、拉长这一步，人脸也重新鲜明。"
    ),
    "arith.gallery_seed": "图库第一个种子",
    "arith.gallery_count": "图库人脸数",
    "arith.show": "显示人脸",
    "arith.gallery": "生成的人脸（点击加入所选行）",
    "arith.target": "点击把人脸加入",
    "arith.preset": "预设",
    "arith.preset.glasses": "眼镜：戴眼镜的男人 − 男人 + 女人",
    "arith.preset.smiling": "微笑：微笑的女人 − 不笑的女人 + 不笑的男人",
    "arith.autopick": "用属性判别器自动挑选",
    "arith.row_a": "概念 A 的种子（如：戴眼镜的男人）",
    "arith.row_b": "概念 B 的种子（如：不戴眼镜的男人）",
    "arith.row_c": "概念 C 的种子（如：不戴眼镜的女人）",
    "arith.noise": "结果周围的噪声",
    "arith.noise_seed": "噪声种子",
    "arith.go": "计算 A − B + C",
    "arith.concepts": "概念行 A、B、C：各个样例，然后是它们平均隐变量的图像",
    "arith.per_concept": "每个概念的样例数",
    "arith.per_concept_info": "论文用 3 张；更多样例会抵消人脸之间不共有的特征",
    "arith.shell": "把平均值缩放到隐空间球壳上",
    "arith.shell_info": "不缩放时，许多人脸的平均会解码成平淡的平均脸",
    "arith.result": "A − B + C（中间）及周围加了少量噪声的结果",
    "info.help": (
        "InfoGAN 在没有标签的情况下学到有含义的编码：一个 10 类的类别编码（通常就是数字，但顺序是它自己定的）"
        "和连续编码（常常是倾斜度和笔画粗细）。拖动滑块，数字实时更新。"
    ),
    "info.category": "类别编码（自学得到；通常是数字）",
    "info.code": "连续编码",
    "info.image": "数字",
    "info.category_short": "类别",
    "info.sweep_code": "要扫描的编码",
    "info.sweep_steps": "从 −2 到 2 的步数",
    "info.sweep": "扫描一个编码",
    "info.sweep_grid": "扫描结果（行：类别；扫描类别时为噪声种子）",
    "transfer.help": (
        "CVAE-GAN 把人脸连同属性一起编码，再用你勾选的属性解码。上传一张人脸或使用生成的人脸；"
        "勾选框的初始值是模型分类器的判断。"
    ),
    "transfer.predicted": "预测的属性",
    "transfer.attributes": "编辑后人脸的属性",
    "transfer.strength": "编辑强度",
    "transfer.strength.info": (
        "每个被改动的属性推进多远：1 为原始条件，约六分之一的加/去眼镜和四分之一的性别编辑不会生效；2 让模型改到位；"
        "3 会夸张。0 即重建。"
    ),
    "transfer.go": "应用属性",
    "transfer.original": "原图（64×64 裁剪）",
    "transfer.reconstruction": "重建",
    "transfer.edited": "编辑后",
    "inpaint.help": "上传一张人脸照片（或生成示例人脸），在编辑器里用画笔涂掉人脸的一部分（或选择预设遮罩），CVAE-GAN 会根据其余部分补全。涂抹区域与人脸一起裁剪。",
    "inpaint.editor": "在人脸上涂出要修复的区域",
    "inpaint.mask": "遮罩",
    "inpaint.mask.info": "用画笔涂抹后，请选择“我涂的区域”。",
    "inpaint.mask.painted": "我涂的区域",
    "inpaint.mask.eyes": "眼睛",
    "inpaint.mask.mouth": "嘴巴",
    "inpaint.mask.centre": "中心方块",
    "inpaint.mask.lower_face": "下半张脸",
    "inpaint.steps": "优化步数",
    "inpaint.go": "补全",
    "inpaint.masked": "遮挡后",
    "inpaint.filled": "补全后",
    "compare.help": "每个模型生成相同数量的样本并排比较：自编码器偏模糊，对抗训练更清晰。",
    "compare.go": "对比",
    "compare.ae-mnist": (
        "**AE（MNIST）**：普通自编码器没有先验，从拟合训练编码的高斯分布中抽取的编码常落在数字之间：模糊的混合体。"
    ),
    "compare.vae-mnist": (
        "**VAE（MNIST）**：KL 项让编码空间平滑、接近高斯，样本是像样的数字，但像素似然会对多种可能取平均：边缘发软。"
    ),
    "compare.gan-mnist": (
        "**GAN（MNIST）**：判别器惩罚一切看起来假的东西，包括模糊，所以笔画清晰，但 MLP 生成器会带些噪点。"
    ),
    "compare.vae-celeba64": (
        "**VAE（人脸）**：输出接近所有符合该编码的人脸的平均：皮肤光滑，头发和背景发虚，因为逐像素似然（这里是二元交叉熵）在取平均时最优。这个模型还用了特征损失，并从拟合在训练人脸编码实际分布上的五成分高斯混合中抽取编码，因此更清晰、崩坏的人脸更少（明显好于模糊处理过的照片），但仍不如各个 GAN。"
    ),
    "compare.dcgan-celeba64": (
        "**DCGAN（人脸）**：卷积加对抗训练带来清晰的眼睛和发丝边缘；部分样本会变形，因为没有什么迫使它覆盖所有人脸。"
    ),
    "compare.wgan-gp-celeba64": (
        "**WGAN-GP（人脸）**：DCGAN 结构的生成器，改用带梯度惩罚的 Wasserstein 评论家训练：损失能反映质量，训练没有发散。它的明暗与真实人脸一致（旧版评论家用了层归一化，看不出对比度，于是从不画深色像素），覆盖的人脸分布比 DCGAN 更广（召回率更高，见下），但仍有部分人脸变形。"
    ),
    "invert.help": (
        "第 1 步：寻找 DCGAN 中与你的照片最像的隐变量（对 z 做梯度下降，CPU 上约 10–30 秒）。"
        "第 2 步：加上一个概念向量（由属性判别器在生成人脸中找出），用滑块调节强度。"
    ),
    "invert.steps": "优化步数",
    "invert.go": "1. 在 DCGAN 隐空间中找到这张照片",
    "invert.face": "你的人脸",
    "invert.reconstruction": "DCGAN 的版本",
    "invert.concept": "概念",
    "invert.strength": "强度",
    "invert.strength.info": "负值表示去除该概念。",
    "invert.apply": "2. 加上概念",
    "invert.edited": "编辑后",
    "timeline.help": "训练过程中各检查点用同一组固定噪声生成的图像：看斑点如何变成数字和人脸。",
    "timeline.frame": "检查点",
    "timeline.image": "该步的样本",
    "timeline.show": "显示训练过程",
    "about.card": "模型卡片",
    "about.show": "显示模型卡片",
    "tab.playground": "训练游乐场",
    "playground.help": "在二维数据上实时训练小型 GAN，观察训练过程：真实点、生成点、判别器（或评论家）眼中的平面，以及它把每个生成点推向何方。选择第二个目标函数，即可用同一个种子、同样的初始网络并排训练两者。服务器上的训练一次运行一个，其余排队。\n\n打开时的设置是一个记录下来的示例：在圆环上用种子 2 并排训练 GAN 与 WGAN-GP。2,000 步后 WGAN-GP 覆盖全部 8 个模式，试过的每个种子都如此；权重裁剪的 WGAN 才刚刚起步。GAN 的训练是混沌的：有些种子下它坍缩成一小块（8 个模式覆盖 0 个），另一些种子下它先覆盖整个圆环，随后又丢掉一些模式；哪些种子会坍缩，甚至取决于 CPU 的舍入方式（种子 2 在 Intel Xeon 上坍缩；在 AMD EPYC 上可以试试种子 1 和 6）。",
    "playground.target": "数据",
    "playground.target.ring8": "8 个高斯组成的圆环",
    "playground.target.grid25": "5×5 高斯网格",
    "playground.target.moons": "双月牙",
    "playground.target.spiral": "螺旋线",
    "playground.objective": "目标函数",
    "playground.compare": "并排对比",
    "playground.compare.info": "同步训练的第二个目标函数（相同的数据、种子和设置）。",
    "playground.none": "不对比（单独训练）",
    "playground.minimax": "GAN：极小极大生成器损失",
    "playground.minimax.info": "按原始博弈最小化 log(1 − D(G(z)))，而不是最大化 log D(G(z))：判别器一旦确信，箭头就消失了。",
    "playground.steps": "生成器步数",
    "playground.advanced": "网络与优化器",
    "playground.width": "宽度（每个隐藏层的单元数）",
    "playground.width.info": "两个网络都有三个隐藏层。",
    "playground.lr": "学习率（留空：使用该目标函数的默认值）",
    "playground.lr.info": "判别器 / 评论家的学习率。GAN 1e-3（Adam），WGAN 5e-5（RMSProp），WGAN-GP 1e-3（Adam，β = (0, 0.9)；其生成器用它的 0.3 倍）。",
    "playground.n_critic": "每步生成器对应的评论家步数",
    "playground.n_critic.info": "用于 WGAN 和 WGAN-GP（两篇论文都用 5）；GAN 只走一步。",
    "playground.run": "训练",
    "playground.stop": "停止",
    "playground.frame": "实时训练",
    "playground.metrics": "指标",
    "playground.objectives.title": "三种目标函数",
    "playground.objectives": (
        "**GAN。** 判别器学习一个点为真的概率；面对最优判别器时，生成器最小化的是真实分布与生成分布之间的 Jensen–Shannon 散度。"
        "两个分布几乎不重叠时，这个散度停在 log 2 附近，无法告诉生成器往哪里走：用极小极大损失时，判别器一旦有把握，箭头便消失；"
        "即使用非饱和损失，生成器也可能挤到判别器当下偏爱的少数几个模式上（模式崩溃）。\n\n"
        "**WGAN。** 评论家输出的是分数而不是概率：E f(真实) − E f(生成) 估计的是 Wasserstein-1 距离，即把生成的概率质量搬成真实分布平均要走多远。"
        "无论两个分布是否重叠，它都会随着两者接近而平滑地减小，所以箭头始终指向数据。"
        "这个估计要求评论家是 1-Lipschitz 的，而把每个权重裁剪到 ±0.01 是一种粗糙的做法：斜率的上界未知，评论家被迫变得过于简单，训练也只能很慢（RMSProp，学习率 5e-5）。\n\n"
        "**WGAN-GP。** 不再裁剪权重，而是在真实样本与生成样本之间的随机点上加梯度惩罚 λ(‖∇f(x̂)‖ − 1)²，让评论家在关键区域的斜率保持在 1 附近。"
        "评论家因此可以呈现距离所需要的任何形状，它的估计与真实距离同一量级，生成器也会铺满每一个模式。"
        "这里评论家学得比生成器快（1e-3 对 3e-4）：只有评论家跟上之后，它的估计才是一个距离；两者用同一学习率时，训练有时会先来回摇摆几千步。"
    ),
    "playground.reading.title": "如何解读图像和指标",
    "playground.reading": (
        "- **背景**：判别器认为某点为真的概率（绿色：真实，紫色：生成；黑线为 D = 0.5），或评论家的分数（黑线位于它在真实点与生成点上平均分数的中间）。\n"
        "- **十字**：真实样本（绿色）和生成样本（紫色）。圆圈：每个模式周围 3σ 的范围。\n"
        "- **箭头**：在由一组网格隐变量（在 8 个隐变量维度中的两个上取网格，其余为 0）生成的点上，生成器损失推动每个点的方向（即负梯度）。GAN 与 WGAN-GP 的箭头使用同一比例；WGAN 的箭头经过缩放，因为裁剪后的评论家斜率很小且没有固定尺度。\n"
        "- **覆盖的模式数**：2,000 个生成点中至少 1% 落在某个模式 3σ 以内，该模式才算被覆盖。双月牙和螺旋线的“模式”是曲线上等长的各段。**高质量比例**：落在某个模式 3σ 以内的点所占比例。\n"
        "- **切片 W**：2,000 个生成点与 2,000 个真实点之间的切片 Wasserstein-1 距离（在 64 个方向上计算精确的一维距离再取平均），可在不同目标函数之间比较。**评论家 W**：评论家自己的估计（WGAN 的估计带有未知的 Lipschitz 常数倍数）。\n"
        "- **种子**决定数据、网络的初始值和所有噪声：相同的设置得到相同的训练过程。"
    ),
}

#: Locales registered with Gradio: browsers send "zh-CN" or just "zh".
TRANSLATIONS: dict[str, dict[str, str]] = {"en": EN, "zh-CN": ZH, "zh": ZH}


def _about(heading: str, note: str, zh: bool) -> str:
    """The About tab's model list, from gan_core.families (one place per family)."""
    lines = [heading]
    for name in ABOUT_ORDER:
        family = FAMILIES[name]
        lines.append(f"- **{family.title}**: {family.summary_zh if zh else family.summary_en}")
    return "\n".join(lines) + "\n\n" + note


EN["about.models"] = _about(
    "### The models",
    "Face models were trained on a subset of CelebA (non-commercial research use only).",
    zh=False,
)
ZH["about.models"] = _about(
    "### 模型简介", "人脸模型在 CelebA 的一个子集上训练（仅限非商业研究用途）。", zh=True
)
