"""The certificate image pipeline (证件图片): judge by content, decode fully, re-encode, store.

An upload is trusted for nothing: its name and declared type are ignored, the bytes are decoded
by Pillow after the pixel count was checked from the header (so an image bomb is refused before
any memory is spent), and what is stored is a fresh JPEG of the decoded pixels under a generated
name: EXIF, comments, ICC profiles and anything appended after the image (a polyglot PNG+HTML)
do not survive. The pixels are turned upright as the EXIF orientation asks and put in sRGB as the
ICC profile (RGB or CMYK) means them before the profile goes. A JPEG is read from its markers
first (_jpeg_layout): one cut short, or of a kind Pillow cannot decode (12-bit, arithmetic-coded),
is refused with what to do rather than stored grey or called damaged. A picture of another format
is refused by its first bytes, named for what it is (HEIC, WebP, GIF, TIFF, AVIF, PDF). A
thumbnail and the SHA-256 of the stored bytes are kept beside it.

A replaced or deleted image loses its row at once, its files only after
DELETED_IMAGE_RETENTION_HOURS (`deleted_images_purge`), so a backup that copies the files after
dumping the rows finds every file they name.
"""

import hashlib
import io
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import ExifTags, Image, ImageCms, ImageFile, UnidentifiedImageError

from prereg.audit.log import record

from .completeness import FIELD_SLOTS, ID_DOCUMENTS, form_field_slots, id_document, licence_series
from .drafts import check_editable, lock_editable
from .models import ApplicationImage, DeletedImageFile, ImageSlot
from .sections import BY_SLOT

logger = logging.getLogger(__name__)

# Never decode a truncated file as if it were whole.
ImageFile.LOAD_TRUNCATED_IMAGES = False

ACCEPTED_FORMATS = ("JPEG", "PNG", "BMP")
# Pillow opens a camera's JPEG with more pictures appended (a multi-picture file: depth map, preview)
# as MPO: its first picture, the photo, is a JPEG like any other and is all that is decoded.
JPEG_FORMATS = ("JPEG", "MPO")
# The memory a JPEG decoded in several passes may take, in bytes per pixel of the full-decode limit:
# as a CMYK one at that limit does (4 components × 2 bytes of coefficients, 4 bytes decoded).
BUFFERED_JPEG_BYTES = 12
# Long side of the stored image: every certificate stays legible, a 12 MP photo shrinks. A long image
# (a screenshot of a 社保证明 or a 学信网备案表, a phone screen's width and several screens' height) may
# keep a longer side, so that its text stays readable: its short side up to STORED_SHORT_SIDE, its
# pixels up to STORED_MAX_PIXELS (what a 4:3 photo has at STORED_MAX_SIDE). See stored_size().
STORED_MAX_SIDE = 2000
STORED_SHORT_SIDE = 1000
STORED_MAX_PIXELS = STORED_MAX_SIDE * STORED_MAX_SIDE * 3 // 4
THUMB_MAX_SIDE = 320
JPEG_QUALITY = 85
# The least a certificate or a photo can be read at: each side at least MIN_SIDE pixels (a 1-inch
# ID photo is 295×413; any phone photo or scan of a certificate is far larger), the longer side at
# most MAX_ASPECT times the shorter (an ID card is 1.6:1, a certificate page about 1.4:1, two pages
# of a booklet side by side about 3:1).
MIN_SIDE = 200
MAX_ASPECT = 8
# The scans (SOS segments) a JPEG may have: a progressive photo has about 10, a fully split scan script
# a few hundred; each scan is decoded over the whole image, so thousands of scans of a large picture
# keep a worker busy for minutes. libjpeg-turbo's own tools stop at 500 (-maxscans).
MAX_JPEG_SCANS = 500

# How many images one slot (or one row's slot) may hold.
SLOT_LIMIT = {ImageSlot.ID_FRONT: 1, ImageSlot.ID_BACK: 1, ImageSlot.PHOTO: 1}
DEFAULT_SLOT_LIMIT = 5


def slot_limit(slot) -> int:
    """How many images `slot` (of the form, or of one row) may hold; a slot of one replaces its image."""
    return SLOT_LIMIT.get(slot, DEFAULT_SLOT_LIMIT)


@dataclass(frozen=True)
class SlotGuide:
    """What the candidate manual (section 六, 图片上传位置) tells the candidate about one 📷 slot."""

    document: str  # 证件类型
    note: str  # 注意事项, in the manual's words
    # 示例图片: (file under prereg/static/, caption); drawn by python -m tools.draw_slot_samples
    samples: tuple[tuple[str, str], ...]


def _sample(name: str, caption: str) -> tuple[str, str]:
    return f"prereg/samples/{name}.png", caption


# The drawn samples of the identity images (those of a 居民身份证: there are none of another document).
ID_SAMPLES = {"身份证正面": (_sample("id-front", "身份证正面"),), "身份证反面": (_sample("id-back", "身份证反面"),)}


def _id_guides(document) -> dict:
    """The guides of one identity document's images (completeness.ID_DOCUMENTS), by slot."""
    return {side.slot: SlotGuide(document.name, side.note, ID_SAMPLES.get(side.label, ())) for side in document.sides}


SLOT_GUIDES = {
    ImageSlot.PHOTO: SlotGuide("近期证件照", "上传本人近期正面免冠证件照一张（竖版）",
                               (_sample("photo", "证件照"),)),
    # As a 居民身份证 has them, the 证件类型 most choose; slot_guide() gives those of the one chosen.
    **_id_guides(ID_DOCUMENTS["resident"]),
    ImageSlot.EDUCATION: SlotGuide("学历证书", "当有多个学历时需要上传对应的多个学历证书",
                                   (_sample("education", "学历证书"),)),
    ImageSlot.DEGREE: SlotGuide("学位证书", "当有多个学位时需要上传对应的多个学位证书",
                                (_sample("degree", "学位证书"),)),
    ImageSlot.CATEGORY: SlotGuide("护士执业证书（医师资格证书）", "护士上传执业证书，医师上传资格证书",
                                  (_sample("nurse-licence", "护士执业证书"),
                                   _sample("physician-qualification", "医师资格证书"))),
    ImageSlot.SCOPE: SlotGuide("护士执业证书（医师执业证书）",
                               "此处上传的图片是你获得了医师资格证书后申请的由当地卫生局发的执业注册证",
                               (_sample("nurse-licence", "护士执业证书"), _sample("physician-licence", "医师执业证书"))),
    ImageSlot.PRACTICE_CHANGE: SlotGuide("护士执业证书（医师执业证书）", "上传执业证书中的变更注册记录页",
                                         (_sample("practice-change", "变更注册记录页"),)),
    ImageSlot.CURRENT_QUALIFICATION: SlotGuide(
        "专业技术资格证书（医师初级师资格证书为医师资格证）",
        "此处上传的图片为通过全国统一的资格考试后，由国家卫生部统一发放的证件图片",
        (_sample("qualification", "专业技术资格证书"), _sample("physician-qualification", "医师资格证书"))),
    ImageSlot.APPOINTMENT: SlotGuide("聘书（或合同、文件）", "聘书照应为翻开有时间段的页面，多个聘任单位需上传多个对应图片",
                                     (_sample("appointment", "聘书（翻开有时间段的页面）"),
                                      _sample("appointment-document", "聘任文件"))),
    ImageSlot.RESIDENCY: SlotGuide("住院医师规范化培训合格证书", "多个规培情况需要上传多个对应证书",
                                   (_sample("residency", "住院医师规范化培训合格证书"),)),
    ImageSlot.GENERAL_PRACTICE: SlotGuide("全科医生规范化培训合格证书", "多个规培情况需要上传多个对应证书",
                                          (_sample("general-practice", "全科医生规范化培训合格证书"),)),
    ImageSlot.OTHER: SlotGuide("所选类别的证明材料",
                               "在“其他”栏选择相应的类别，并上传相关图片资料（如转岗情况、社区工作证明、社保证明等）",
                               (_sample("other", "证明材料"),)),
}

# Judged by the content, not the name: a text or SVG file named .jpg is told its content is not one.
# What a nurse and a physician upload in the 执业类别 and 执业注册范围 slots (completeness.LICENSED_SERIES).
LICENCE_GUIDES = {
    ("护理", ImageSlot.CATEGORY): SlotGuide("护士执业证书", "护士上传执业证书（有执业类别和注册日期的页面）",
                                          (_sample("nurse-licence", "护士执业证书"),)),
    ("医疗", ImageSlot.CATEGORY): SlotGuide("医师资格证书", "医师上传资格证书",
                                          (_sample("physician-qualification", "医师资格证书"),)),
    ("医疗", ImageSlot.SCOPE): SlotGuide("医师执业证书", SLOT_GUIDES[ImageSlot.SCOPE].note,
                                       (_sample("physician-licence", "医师执业证书"),)),
}


def slot_guide(application, slot) -> SlotGuide | None:
    """What the candidate is told about one slot of his form: the identity images as his 证件类型 has
    them (completeness.ID_DOCUMENTS), the 执业类别 and 执业注册范围 as his series' certificates."""
    slot = ImageSlot(slot)
    if slot in (ImageSlot.ID_FRONT, ImageSlot.ID_BACK):
        return _id_guides(id_document(application)).get(slot)
    return LICENCE_GUIDES.get((licence_series(application), slot)) or SLOT_GUIDES.get(slot)


TYPE_MESSAGE = ("文件内容不是图片，或不是 jpg/jpeg/png/bmp 格式的图片（与文件名无关）。"
                "仅支持 jpg/jpeg/png/bmp 格式的图片，请用手机拍照或截图后再上传。")
CORRUPT_MESSAGE = "图片文件已损坏或不完整，请重新拍摄或选择图片。"
# A JPEG of a kind Pillow's libjpeg cannot decode (JpegLayout.undecodable), told so rather than called damaged.
VARIANT_MESSAGE = ("此图片是{kind}的特殊JPEG（专业相机、扫描仪或影像软件导出），无法读取。"
                   "请用手机重新拍摄，或用画图等软件另存为普通jpg格式后再上传。")
SCANS_MESSAGE = ("图片文件异常（数据分段过多），可能已损坏或经过特殊处理，无法读取。"
                 "请重新拍摄，或用手机相册截图、用画图软件另存为 jpg 后再上传。")
SHAPE_MESSAGE = (f"图片过长或过窄（长边超过短边的{MAX_ASPECT}倍），看不清内容。"
                 "长截图请分成几段分别截图后上传；证件请拍摄完整的证件。")
PHOTO_SHAPE_MESSAGE = ("考生照片须为竖版证件照（如一寸照），不能是横版照片（宽大于高）或长条形图片。"
                       "请上传本人近期正面免冠证件照。")
# The candidate's photo, height over width: an ID photo is 1.4 (一寸 25×35 mm), a square passport photo 1,
# a portrait phone photo 1.33, a phone's full-screen screenshot of an e-photo 2.17; a strip is no photo.
PHOTO_PROPORTIONS = (1.0, 2.5)
DUPLICATE_MESSAGE = "该图片已上传过，无需重复上传。"
IMAGE_GONE_MESSAGE = "图片已删除或不存在。"
STORE_FAILED_MESSAGE = "图片保存失败，请稍后重试。"  # the storage refused the file: nothing to change in it
PDF_MESSAGE = ("不支持PDF文件，仅支持 jpg/jpeg/png/bmp 格式的图片。"
               "请打开PDF后逐页截图上传，或在扫描软件（如扫描全能王）中选择“导出为图片/JPG”后上传。")
HEIC_MESSAGE = ("不支持HEIC格式的照片（苹果手机默认的拍照格式），仅支持 jpg/jpeg/png/bmp 格式。"
                "请把照片截图后上传截图，或在手机“设置 → 相机 → 格式”中选择“兼容性最佳”后重新拍摄。")
# A picture of a format not taken, named for what it is: a WebP saved from a web page or a GIF is a picture, not
# "not a picture", and a WebP named .jpg is one too.
OTHER_FORMAT_MESSAGE = ("这是{name}格式的图片（与文件名无关），不支持。仅支持 jpg/jpeg/png/bmp 格式的图片："
                        "请在手机上截图后上传截图，或用画图等软件另存为jpg格式后再上传。")
# How files of the accepted formats begin (JPEG, PNG, BMP).
SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"BM")
HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}


BMP_SIZE_MESSAGE = ("BMP格式的图片未经压缩，文件很大（超过{mb}MB）。"
                    "请用画图等软件另存为jpg格式，或在手机上截图后再上传。")


def size_message() -> str:
    return f"图片大小不能超过{settings.IMAGE_MAX_BYTES // (1024 * 1024)}MB，请压缩后再上传。"


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str
    content_type: str = "image/jpeg"


def stored_size(width: int, height: int) -> tuple[int, int]:
    """The size a `width`×`height` picture is stored at: its long side at most STORED_MAX_SIDE, or,
    for a long picture (a long screenshot), a longer side while its short side stays within
    STORED_SHORT_SIDE and its pixels within STORED_MAX_PIXELS: a 1080×7000 screenshot is kept at
    680×4410, not shrunk to an unreadable 308×2000. Never larger than the picture."""
    long_side, short_side = max(width, height), min(width, height)
    scale = max(min(1.0, STORED_MAX_SIDE / long_side),
                min(1.0, STORED_SHORT_SIDE / short_side, (STORED_MAX_PIXELS / (width * height)) ** 0.5))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(img: Image.Image, size: tuple[int, int], quality: int) -> bytes:
    """`img` as a JPEG, shrunk to fit in `size` if it is larger."""
    if img.width > size[0] or img.height > size[1]:
        img = img.copy()
        img.thumbnail(size, Image.Resampling.BILINEAR)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=False)
    return out.getvalue()


def pixels_message(width: int | None = None, height: int | None = None) -> str:
    """Too many pixels to decode within a worker's memory, in the candidate's words: how many pixels
    every file may have (a baseline JPEG of more may pass, none of fewer is refused), a 4:3 size
    within it as a camera or scanner setting would name it, and how a phone makes the picture smaller.
    The same limit whatever the refusal (a PNG, a progressive JPEG, more than any file may have: an
    image bomb's header): told 4000万 for one file and 1000万 for the next, a candidate who followed the
    first was refused again (photo probe)."""
    limit = settings.IMAGE_MAX_PIXELS_FULL_DECODE
    side = int((limit / 12) ** 0.5)
    size = f"（{width}×{height}）" if width else ""
    return (f"图片像素过大{size}：最多{limit // 10_000}万像素（如{side * 4}×{side * 3}）。"
            "请用手机相册的“编辑/裁剪”或截图缩小后再上传。")


def _read(upload) -> bytes:
    """The upload's bytes, once its first bytes show an accepted format and its size is within the
    limit, in that order: a phone's 8 MB HEIC told to be compressed would be compressed, still a HEIC,
    and only then be told its format cannot be taken."""
    upload.seek(0)
    raw = upload.read(settings.IMAGE_MAX_BYTES + 1)
    if not raw:
        raise ValidationError("文件为空，请重新选择图片。", code="empty")
    _check_signature(raw[:16])
    if len(raw) > settings.IMAGE_MAX_BYTES:
        if raw.startswith(b"BM"):  # uncompressed: 3 MB is a 1000×1000 picture, and no phone compresses a BMP
            raise ValidationError(BMP_SIZE_MESSAGE.format(mb=settings.IMAGE_MAX_BYTES // (1024 * 1024)),
                                  code="too_large")
        raise ValidationError(size_message(), code="too_large")
    return raw


def _check_signature(head: bytes) -> None:
    """Refuse a file that does not begin as a JPEG, PNG or BMP does (Pillow's own test of each)."""
    if head.startswith(SIGNATURES):
        return
    # An ISO media file (ftyp box) of a HEIF brand: an iPhone photo as the camera saves it.
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        raise ValidationError(HEIC_MESSAGE, code="type")
    if head.startswith(b"%PDF"):  # a certificate a scanner app saved as a document
        raise ValidationError(PDF_MESSAGE, code="type")
    if name := _other_format(head):
        raise ValidationError(OTHER_FORMAT_MESSAGE.format(name=name), code="type")
    raise ValidationError(TYPE_MESSAGE, code="type")


def _other_format(head: bytes) -> str | None:
    """The name of a picture format not taken that `head` (a file's first bytes) begins as, if any."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WebP"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] in (b"II*\0", b"MM\0*"):  # what a scanner or a fax program may save
        return "TIFF"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "AVIF"
    return None


def _opened(raw: bytes) -> tuple[Image.Image, tuple[int, int]]:
    """The image as its header describes it, not yet decoded, with its pixel count checked, and the
    size it is to be stored at (stored_size: of the picture's own size, whatever its decoding scale).

    A JPEG decoded in one pass can skip detail: its DCT is scaled while decoding (draft()), so up
    to IMAGE_MAX_PIXELS are allowed. A PNG or BMP is decoded in full at up to 4 bytes a pixel (a
    113 KB PNG of 6300×6300 would take 160 MB): those are held to IMAGE_MAX_PIXELS_FULL_DECODE. A
    JPEG whose scans the decoder must combine (progressive, as some phones save) keeps every DCT
    coefficient of the full-size image, 2 bytes a sample, whatever the scale: it is taken while that
    and the picture at its decoding scale fit in what a CMYK one at the full-decode limit takes
    (BUFFERED_JPEG_BYTES), so a 12 MP phone photo is scaled and stored, not refused.
    """
    layout = _jpeg_layout(raw) if raw.startswith(SIGNATURES[0]) else None
    if layout is not None and (kind := layout.undecodable):
        raise ValidationError(VARIANT_MESSAGE.format(kind=kind), code="jpeg_variant")
    if layout is not None and layout.one_pass and layout.end is not None:
        # Decoded without its EOI: a photo cut short (a dropped connection, a copy broken off) that still
        # ends in one, as some apps close what they write, is refused as incomplete, not stored grey below
        # the cut (Pillow's own LOAD_TRUNCATED_IMAGES adds an EOI to finish a cut picture).
        raw = raw[:layout.end] + END_PADDING
    try:
        img = Image.open(io.BytesIO(raw), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError:
        raise ValidationError(pixels_message(), code="pixels") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        # It begins as an accepted format does (_read): a photo cut short before its header ended
        # (a dropped connection), not a wrong type.
        raise ValidationError(CORRUPT_MESSAGE, code="corrupt") from None
    width, height = img.size
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise ValidationError(pixels_message(width, height), code="pixels")
    _check_shape(width, height)
    if img.format not in JPEG_FORMATS:
        if width * height > settings.IMAGE_MAX_PIXELS_FULL_DECODE:
            raise ValidationError(pixels_message(width, height), code="pixels")
        return img, stored_size(width, height)
    if len(layout.scans) > MAX_JPEG_SCANS:
        raise ValidationError(SCANS_MESSAGE, code="scans")
    target = stored_size(width, height)
    if target != (width, height):
        # Decode at a DCT scale that still leaves at least the stored size (1/2, 1/4 or 1/8 of
        # each side). draft() scales by the smaller of the two ratios: ask for the aspect-true
        # stored size.
        img.draft("RGB", target)
    if img.info.get("progressive") or layout.first_scan_components != len(img.getbands()):
        picture = img.width * img.height * (1 if img.mode == "L" else 4)  # at the decoding scale
        if _coefficient_bytes(img, width, height) + picture > settings.IMAGE_MAX_PIXELS_FULL_DECODE * BUFFERED_JPEG_BYTES:
            raise ValidationError(pixels_message(width, height), code="pixels")
    if not layout.complete:  # a progressive photo cut short: grey or blurred below the cut, whatever follows it
        raise ValidationError(CORRUPT_MESSAGE, code="corrupt")
    return img, target


def _check_shape(width: int, height: int) -> None:
    """Refuse what cannot show a certificate or a photo (MIN_SIDE, MAX_ASPECT), judged from the header
    before any decoding: a strip (a slip of the crop, a panorama) or a picture too small to read."""
    if max(width, height) > MAX_ASPECT * min(width, height):
        # The size is not named: a long screenshot arrives shrunk by the browser, at a size its
        # owner never had.
        raise ValidationError(SHAPE_MESSAGE, code="shape")
    if min(width, height) < MIN_SIDE:
        raise ValidationError(f"图片太小（{width}×{height}像素），看不清证件内容。"
                              f"请上传清晰的照片，宽和高都不少于{MIN_SIDE}像素。", code="small")


def _coefficient_bytes(img: Image.Image, width: int, height: int) -> int:
    """What libjpeg holds to combine the scans of a `width`×`height` JPEG: every component's DCT
    coefficients at full size (one a sample, 2 bytes each; a subsampled component has fewer)."""
    h_max = max(h for _, h, _, _ in img.layer)
    v_max = max(v for _, _, v, _ in img.layer)
    return sum(2 * -(-width * h // h_max) * -(-height * v // v_max) for _, h, v, _ in img.layer)


@dataclass(frozen=True)
class JpegScan:
    """One scan (SOS segment): the components it carries, its spectral band (Ss..Se of the 64 DCT
    coefficients) and the bit it ends at (Al; a progressive scan sends the bits above it)."""

    components: tuple[int, ...]
    first: int = 0
    last: int = 63
    low_bit: int = 0


@dataclass(frozen=True)
class JpegLayout:
    """What a JPEG's markers say of its first picture, read from the bytes alone, before anything is decoded."""

    frame: int = 0  # its SOF marker: 0xC0 baseline, 0xC1 extended, 0xC2 progressive…
    precision: int = 0  # bits a sample: 8 in every phone's and camera's JPEG, 12 or 16 in some scanners' and DICOM's
    components: tuple[int, ...] = ()
    scans: tuple[JpegScan, ...] = ()  # counted up to MAX_JPEG_SCANS + 1
    end: int | None = None  # where its EOI marker is, if it has one

    @property
    def first_scan_components(self) -> int:
        return len(self.scans[0].components) if self.scans else 0

    @property
    def undecodable(self) -> str | None:
        """What makes the picture one Pillow does not decode, in the candidate's words, or None: more than 8 bits
        a sample (Pillow refuses it at the header), arithmetic coding (its decoder cannot wait for the data
        Pillow feeds in blocks) or a hierarchical frame (libjpeg has none)."""
        if self.precision not in (0, 8):
            return f"{self.precision}位高精度"
        if self.frame in ARITHMETIC_FRAMES:
            return "算术编码"
        if self.frame in HIERARCHICAL_FRAMES:
            return "分层编码"
        return None

    @property
    def one_pass(self) -> bool:
        """A Huffman-coded sequential picture whose one scan carries every component: decoded as a stream."""
        return self.frame in (0xC0, 0xC1) and self.first_scan_components == len(self.components) > 0

    @property
    def complete(self) -> bool:
        """Whether the scans send every component whole: each coefficient to its last bit (Al 0) in a
        progressive picture, each component in some scan in a sequential one. A progressive photo cut short
        lacks its later scans, even when an EOI was written after the cut."""
        if not self.scans:
            return False
        progressive = self.frame in PROGRESSIVE_FRAMES
        sent = {component: set() for component in self.components}
        for scan in self.scans:
            if progressive and scan.low_bit:  # the bits above Al only: a later scan sends the rest
                continue
            for component in scan.components:
                if component in sent:
                    sent[component].update(range(scan.first, scan.last + 1) if progressive else range(64))
        return all(len(coefficients) == 64 for coefficients in sent.values())


# The start-of-frame markers (0xC4 is DHT, 0xC8 reserved, 0xCC DAC); of them the progressive ones.
FRAME_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
PROGRESSIVE_FRAMES = {0xC2, 0xC6, 0xCA, 0xCE}
ARITHMETIC_FRAMES = {0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
HIERARCHICAL_FRAMES = {0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF}
# What follows a one-pass JPEG's last scan in place of its EOI when it is decoded: libjpeg-turbo's Huffman
# decoder reads up to 57 bits ahead of what it decodes, so a whole picture's last blocks need a few bytes
# after them; a picture cut short runs out of data, where an EOI would have let it finish in grey.
END_PADDING = bytes(16)


def _jpeg_scan(body: bytes) -> JpegScan:
    count = body[0] if body else 0
    spectral = body[1 + 2 * count:4 + 2 * count]
    components = tuple(body[1 + 2 * i] for i in range(count) if 1 + 2 * i < len(body))
    if len(spectral) < 3:  # a header cut short: it sends nothing
        return JpegScan(())
    return JpegScan(components, spectral[0], spectral[1], spectral[2] & 0x0F)


def _jpeg_layout(raw: bytes) -> JpegLayout:
    """The frame, the scans (counted up to MAX_JPEG_SCANS + 1) and the end of the JPEG's first picture,
    from the bytes alone, before anything is decoded.

    A JPEG whose first scan carries every colour component and is not progressive is decoded as a
    stream; else libjpeg buffers the coefficients of the whole image to combine the scans. The
    segments all carry their length; the entropy-coded data after a scan's header holds no marker
    but a restart (0xFFD0-D7) and a stuffed 0xFF00, so the next 0xFF byte that begins a marker ends
    it. Fill bytes (0xFF) and stray bytes between segments are stepped over as Pillow's parser does;
    the picture ends at EOI (what a camera appends after it, MPO, is not counted).
    """
    pos, size = 2, len(raw)
    frame = precision = 0
    components: tuple[int, ...] = ()
    scans: list[JpegScan] = []
    while pos + 2 <= size:
        if raw[pos] != 0xFF:
            pos = raw.find(b"\xff", pos + 1)
            if pos < 0:
                break
            continue
        marker = raw[pos + 1]
        if marker == 0xFF:  # a fill byte before a marker
            pos += 1
        elif marker == 0x00 or 0xD0 <= marker <= 0xD7 or marker == 0x01:  # stuffed 0xFF, RSTn, TEM
            pos += 2
        elif marker == 0xD9:  # EOI
            return JpegLayout(frame, precision, components, tuple(scans), pos)
        else:
            length = int.from_bytes(raw[pos + 2:pos + 4], "big")
            body = raw[pos + 4:pos + 2 + length]
            if marker in FRAME_MARKERS and not frame and len(body) >= 6:
                frame, precision = marker, body[0]
                components = tuple(body[6 + 3 * i] for i in range(body[5]) if 6 + 3 * i < len(body))
            elif marker == 0xDA:
                scans.append(_jpeg_scan(body))
                if len(scans) > MAX_JPEG_SCANS:
                    break
                # Over the scan's data at once, to the marker that ends it: stepping from one 0xFF to the
                # next took 24 ms of a 3 MB photo's upload.
                found = _SCAN_END.search(raw, pos + 2 + length)
                pos = found.start() if found else size
                continue
            pos += 2 + length
    return JpegLayout(frame, precision, components, tuple(scans))


# In a scan's entropy-coded data, the 0xFF that begins the marker ending it: not a stuffed 0xFF00, a restart
# (0xFFD0-D7), a TEM (0xFF01) or a fill byte before the marker.
_SCAN_END = re.compile(rb"\xff(?=[^\x00\x01\xd0-\xd7\xff])")


# What an EXIF orientation (1-8) asks for to show the picture as the camera meant it (as ImageOps.exif_transpose).
_TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
          5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
          8: Image.Transpose.ROTATE_90}
# Grey scale of more than 8 bits: a 16-bit PNG scan opens as I;16 (older Pillow: I). No accepted format
# decodes to F; it is scaled the same way should one ever do.
_DEEP_GREY = ("I;16", "I;16L", "I;16B", "I;16N", "I", "F")


def _eight_bit_grey(img: Image.Image) -> Image.Image:
    """A 16-bit grey scale as 8-bit L, a transparent grey (PNG tRNS) flattened onto white.

    convert("L") clips rather than scales: every value over 255 of 65535 (all but the darkest
    ink) would come out white, a scan of black text a blank page.
    """
    grey = img.point(lambda value: value / 257).convert("L")
    transparent = img.info.get("transparency")
    if not isinstance(transparent, int):
        return grey
    # The transparent value is exact in 16 bits only: the mask is made from the original.
    lut = [255] * 65536
    if 0 <= transparent < 65536:
        lut[transparent] = 0
    opaque = img.convert("I").point(lut, "L")
    flat = Image.new("L", grey.size, 255)
    flat.paste(grey, mask=opaque)
    return flat


SRGB = ImageCms.createProfile("sRGB")


def _in_srgb(img: Image.Image, icc: bytes | None) -> Image.Image:
    """The colours as the picture's profile means them, in sRGB: the stored JPEG carries no profile and is read
    as sRGB, so a phone's Display P3 photo or an Adobe RGB scan came out washed out (photo probe). A CMYK picture
    (a print shop's or a design program's export) is converted through its profile too, as ImageCms documents:
    Pillow's own conversion, a naive formula, ignored the profile and its colours came out off. An unreadable
    profile, or one of another colour space than the pixels', leaves the colours to Pillow's conversion."""
    if icc and img.mode in ("RGB", "CMYK"):
        try:
            return ImageCms.profileToProfile(img, ImageCms.ImageCmsProfile(io.BytesIO(icc)), SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass
    return img.convert("RGB") if img.mode == "CMYK" else img


def _small_upright(img: Image.Image, target: tuple[int, int]) -> Image.Image:
    """Decode `img` and make it RGB or L, at most `target` (the stored size), turned upright.

    Memory (bench key upload_peak_mb, goal ≤ 150 MB a worker): the caller hands over its only
    reference, so the decoded image is dropped as soon as its flattened copy exists. At most one
    full-size copy is made (a palette, grey scale or transparency flattened onto white); CMYK
    conversion and the turn of an EXIF-rotated photo act on the shrunk image. The turn is read
    before anything else: a flattened copy is a new image, without the original's EXIF.
    """
    img.load()
    turn = _TURNS.get(img.getexif().get(ExifTags.Base.Orientation))
    icc = img.info.get("icc_profile")
    if img.mode in _DEEP_GREY:
        img = _eight_bit_grey(img)
    # A colour key (tRNS) of an L or RGB PNG too, as optimisers write one: its transparent pixels were stored black.
    if img.mode not in ("L", "RGB", "CMYK") or "transparency" in img.info:
        if img.mode in ("LA", "PA", "RGBA") or "transparency" in img.info:
            grey = img.mode in ("L", "LA")
            alpha = img if img.mode in ("LA", "RGBA") else img.convert("RGBA")
            img = None  # the decoded image goes before the white background is made
            img = Image.new("L" if grey else "RGB", alpha.size, 255 if grey else (255, 255, 255))
            img.paste(alpha, mask=alpha)
            del alpha
        else:
            grey = len(img.getbands()) == 1 and img.mode != "P"  # 1-bit grey scale
            img = img.convert("L" if grey else "RGB")
    img.thumbnail((max(target), max(target)), Image.Resampling.BILINEAR)  # by its long side, as the picture's aspect
    img = _in_srgb(img, icc)  # a CMYK one too, once shrunk
    if turn is not None:
        img = img.transpose(turn)
    img.info.clear()  # what the file carried beside its pixels (a JPEG comment): save() would write it again
    return img


def process_image(upload) -> ProcessedImage:
    """Decode and re-encode one uploaded file, or raise ValidationError with a Chinese message."""
    max_bytes = settings.IMAGE_MAX_BYTES
    raw = _read(upload)
    try:
        # No reference to the opened image is kept here: _small_upright drops it early.
        img = _small_upright(*_opened(raw))
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise ValidationError(CORRUPT_MESSAGE, code="corrupt") from None
    data = _encode(img, img.size, JPEG_QUALITY)
    quality = JPEG_QUALITY
    while len(data) > max_bytes and quality > 40:
        quality -= 15
        data = _encode(img, img.size, quality)
    if len(data) > max_bytes:
        raise ValidationError(size_message(), code="too_large")
    thumb = _encode(img, (THUMB_MAX_SIDE, THUMB_MAX_SIDE), 75)
    return ProcessedImage(data=data, thumbnail=thumb, width=img.width, height=img.height,
                          sha256=hashlib.sha256(data).hexdigest())


def _check_slot(application, slot, row_id):
    try:
        slot = ImageSlot(slot)
    except ValueError:
        raise ValidationError("未知的图片栏目。", code="slot") from None
    if slot in BY_SLOT:
        if row_id is None or not BY_SLOT[slot].rows(application).filter(pk=row_id).exists():
            raise ValidationError("请先保存该行信息，再上传对应的图片。", code="row")
    else:
        row_id = None
        # A slot of the form's own the form does not draw for this application (a passport's 反面, a
        # pharmacist's 执业类别, a nurse's 执业注册范围): checked again on the locked row, as the 证件类型 or
        # the 申报资格 may change in another tab meanwhile.
        if slot in FIELD_SLOTS and slot not in {drawn.slot for drawn in form_field_slots(application)}:
            raise ValidationError(f"无需上传“{slot.label}”的图片：按所填的证件类型和申报资格，此项不需要。",
                                  code="slot_not_asked")
    return slot, row_id


def _check_fits_slot(slot, image: ProcessedImage) -> None:
    """What a slot asks of a picture's shape beyond any certificate's: the candidate's photo (printed on
    the 审核确认单, compared with the ID by the reviewer) is upright, as an ID photo is; a landscape
    picture (a certificate, a panorama) or a strip is not one. Judged on the stored, upright
    picture."""
    low, high = PHOTO_PROPORTIONS
    if slot == ImageSlot.PHOTO and not low * image.width <= image.height <= high * image.width:
        raise ValidationError(PHOTO_SHAPE_MESSAGE, code="photo_shape")


def _check_new(application_id, slot, row_id, processed) -> None:
    """Refuse a picture the slot (of this row) already holds, or one sent twice at once: the same
    stored bytes (sha256; the pipeline re-encodes the same file to the same bytes)."""
    held = set(ApplicationImage.objects.filter(application_id=application_id, slot=slot, row_id=row_id)
               .values_list("sha256", flat=True))
    for upload, image in processed:
        if image.sha256 in held:
            raise _refused_file(upload, DUPLICATE_MESSAGE, "duplicate", len(processed))
        held.add(image.sha256)


def _refused_file(upload, message: str, code: str, chosen: int) -> ValidationError:
    """One file's refusal, which refuses the batch: named, and the others chosen with it said not
    uploaded either (the candidate saw only the bad file named and took the good ones for stored)."""
    name = getattr(upload, "name", "") or "图片"
    others = f"本次所选的其余{chosen - 1}张也未上传，请去掉这张后重新选择。" if chosen > 1 else ""
    return ValidationError(f"{name}：{message}{others}", code=code)


def _check_room(application_id, slot, row_id, adding: int, limit: int) -> None:
    """Refuse `adding` images to a slot that would then hold more than `limit`, saying how many still fit
    (eight photos chosen at once from a phone's gallery: the candidate chooses again knowing the number)."""
    held = ApplicationImage.objects.filter(application_id=application_id, slot=slot, row_id=row_id).count()
    if held + adding > limit:
        room = limit - held
        raise ValidationError(f"“{slot.label}”最多上传{limit}张图片" + (f"，已有{held}张" if held else "")
                              + (f"，还可上传{room}张，请少选几张后重新上传。" if room > 0 else "，请先删除不需要的图片。"),
                              code="slot_full")


def images_add(*, actor, application, slot: str, row_id: int | None = None, uploads,
               expected_version: int | None = None, request=None):
    """Store every upload of one slot, or none of them (one bad file refuses the batch).

    `expected_version` is the version the candidate's page was loaded with, checked as a section
    save checks it (drafts.check_editable).
    """
    uploads = list(uploads)
    # Checked first before spending the decoding on a refusal; what decides is checked again below.
    check_editable(actor, application, expected_version)
    slot, row_id = _check_slot(application, slot, row_id)
    if not uploads:
        raise ValidationError("请选择要上传的图片。", code="none")
    limit = slot_limit(slot)
    replace = limit == 1 and len(uploads) == 1
    if not replace:  # which also bounds one request's files by the slot's limit, before any is decoded
        _check_room(application.pk, slot, row_id, len(uploads), limit)
    processed = []
    for upload in uploads:
        try:
            image = process_image(upload)
            _check_fits_slot(slot, image)
            processed.append((upload, image))
        except ValidationError as error:
            raise _refused_file(upload, error.messages[0], error.code, len(uploads)) from None
    names = DeletedImageFile.names_queued(len(processed))
    queued = [name for pair in names for name in pair]
    written = []
    try:
        created = _store(actor, application, slot, row_id, processed, names, written, replace=replace,
                         limit=limit, expected_version=expected_version, request=request)
    except ValidationError:
        # Refused on the locked row, or by the storage: the names of files never begun leave the purge's
        # queue; one begun stays on it (the storage may hold part of it).
        DeletedImageFile.objects.filter(name__in=[name for name in queued if name not in written]).delete()
        raise
    return created


@transaction.atomic
def _store(actor, application, slot, row_id, processed, names, written, *, replace, limit, expected_version,
           request):
    """The rows and files of images_add's processed uploads, under the names queued for them (`names`,
    taken off the purge's queue here), each file's name appended to `written` once it is in storage."""
    # Decoding took its time outside the transaction; the state may have changed since (a
    # submit from another tab, another upload to this slot landed): check it again on the
    # locked row, the one writer's rule, the slot's count included, so uploads at once cannot
    # together pass the limit each was checked against alone.
    application = lock_editable(actor, application.pk, expected_version)
    _check_slot(application, slot, row_id)
    if replace:  # the same picture again replaces itself: nothing is held twice
        slot_images_delete(application, slot, row_id)
    else:
        _check_new(application.pk, slot, row_id, processed)
        _check_room(application.pk, slot, row_id, len(processed), limit)
    storage = ApplicationImage._meta.get_field("file").storage
    thumb_storage = ApplicationImage._meta.get_field("thumbnail").storage
    created = []
    for (upload, image), (file_name, thumb_name) in zip(processed, names, strict=True):
        obj = ApplicationImage(
            application=application, slot=slot, row_id=row_id, sha256=image.sha256, size=len(image.data),
            width=image.width, height=image.height, content_type=image.content_type,
            original_name=(getattr(upload, "name", "") or "")[:200], uploaded_by=actor,
        )
        # Under the queued name (a new uuid's: never taken, so the storage keeps it as given).
        try:
            written.append(file_name)
            obj.file = storage.save(file_name, ContentFile(image.data), max_length=200)
            written.append(thumb_name)
            obj.thumbnail = thumb_storage.save(thumb_name, ContentFile(image.thumbnail), max_length=200)
        except OSError:
            # The media directory unwritable, the disk full: the operator's to mend (the log says which);
            # the candidate is told at the slot, and this transaction takes back the rows already written.
            logger.exception("image %s of application %s not stored", file_name, application.pk)
            raise ValidationError(STORE_FAILED_MESSAGE, code="storage") from None
        obj.save()
        created.append(obj)
    DeletedImageFile.objects.filter(name__in=written).delete()
    record("image.add", actor=actor, obj=application, request=request,
           details={"slot": slot.value, "row": row_id, "count": len(created),
                    "sha256": [c.sha256 for c in created]})
    return created


def _delete(image):
    """Delete the image's row; its files stay in storage for the retention (see DeletedImageFile)."""
    DeletedImageFile.objects.bulk_create(
        [DeletedImageFile(name=field.name) for field in (image.file, image.thumbnail) if field])
    image.delete()


def deleted_images_purge(*, now=None, batch: int = 500) -> int:
    """Remove from storage the files of images deleted more than DELETED_IMAGE_RETENTION_HOURS ago."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.DELETED_IMAGE_RETENTION_HOURS)
    storage = ApplicationImage._meta.get_field("file").storage
    purged = 0
    while due := list(DeletedImageFile.objects.filter(deleted_at__lte=cutoff).order_by("pk")[:batch]):
        names = {entry.name for entry in due}
        # Never a file an image row names (none does today: every upload is stored under a new name).
        kept = set(ApplicationImage.objects.filter(file__in=names).values_list("file", flat=True))
        kept |= set(ApplicationImage.objects.filter(thumbnail__in=names).values_list("thumbnail", flat=True))
        for name in names - kept:
            storage.delete(name)
        # A purge stopped here removes the same files again next time: deleting a missing file is a no-op.
        with transaction.atomic():
            DeletedImageFile.objects.filter(pk__in=[entry.pk for entry in due]).delete()
            record("image.files_purged", actor_name="system",
                   details={"files": len(names), "kept": sorted(kept), "hours": settings.DELETED_IMAGE_RETENTION_HOURS})
        purged += len(names)
    return purged


@transaction.atomic
def image_delete(*, actor, image_id: int, expected_version: int | None = None, request=None) -> None:
    """Delete one of the candidate's images, read again on his locked application: a delete of it from
    another tab (a double tap) that committed meanwhile leaves this one refused, writing nothing (the races
    probe met two image.delete and the files queued twice)."""
    owner = ApplicationImage.objects.filter(pk=image_id).values_list("application_id",
                                                                     "application__candidate_id").first()
    if owner is not None:
        application_id, candidate_id = owner
        if candidate_id != actor.pk:
            raise PermissionDenied("只能删除本人的图片。")
        lock_editable(actor, application_id, expected_version)
    image = ApplicationImage.objects.select_related("application").filter(pk=image_id).first() if owner else None
    if image is None:
        raise ValidationError(IMAGE_GONE_MESSAGE, code="gone")
    # The row deleted (waiting, if need be, for the machine reading that holds it) before the audit entry,
    # whose chain lock every audited act on the site waits for (races probe: sign-ins queued 19 s).
    _delete(image)
    record("image.delete", actor=actor, obj=image.application, request=request,
           details={"slot": image.slot, "row": image.row_id, "sha256": image.sha256})


def slot_images_delete(application, slot, row_id) -> None:
    """Remove the images of one slot (of a row being removed, ⊖, or of a one-image slot being
    replaced); their files go after the retention."""
    for image in ApplicationImage.objects.filter(application=application, slot=slot, row_id=row_id):
        _delete(image)
