import pytest
import torch

from training.models.backbone import Backbone
from training.models.hsfpn import HSFPN, ChannelAttention, build_fpn


def test_channel_attention_gives_one_weight_per_channel_in_0_1():
    ca = ChannelAttention(16)
    w = ca(torch.randn(2, 16, 9, 7))
    assert w.shape == (2, 16, 1, 1)
    assert (w > 0).all() and (w < 1).all()


def test_channel_attention_is_sigmoid_of_shared_mlp_over_avg_plus_max_pooling():
    torch.manual_seed(0)
    ca = ChannelAttention(8)
    x = torch.randn(2, 8, 5, 6)
    avg = x.mean((2, 3), keepdim=True)
    mx = x.amax((2, 3), keepdim=True)
    expected = (ca.mlp(avg) + ca.mlp(mx)).sigmoid()
    assert torch.allclose(ca(x), expected, atol=1e-6)
    # the max branch matters: the same mean with a different max changes the weights
    spike = x.clone()
    spike[:, :, 0, 0] += 10.0
    spike[:, :, 0, 1] -= 10.0  # same mean, larger max
    assert torch.allclose(spike.mean((2, 3)), x.mean((2, 3)), atol=1e-5)
    assert torch.allclose(ca(spike), (ca.mlp(avg) + ca.mlp(spike.amax((2, 3), keepdim=True))).sigmoid(), atol=1e-6)


@pytest.mark.parametrize("kind", ["hsfpn", "hsfpn-bilinear", "fpn"])
def test_fpn_outputs_d_model_at_every_level_with_input_sizes(kind):
    chans = [32, 64, 128, 128]
    sizes = [(48, 64), (24, 32), (12, 16), (6, 8)]
    fpn = build_fpn(kind, chans, 32)
    outs = fpn([torch.randn(2, c, h, w) for c, (h, w) in zip(chans, sizes)])
    assert [tuple(o.shape) for o in outs] == [(2, 32, h, w) for h, w in sizes]


def test_sff_handles_odd_sizes_by_bilinear_resize():
    chans = [16, 16, 16, 16]
    sizes = [(25, 33), (13, 17), (7, 9), (4, 5)]
    outs = HSFPN(chans, 32)([torch.randn(1, c, h, w) for c, (h, w) in zip(chans, sizes)])
    assert [tuple(o.shape[-2:]) for o in outs] == sizes


def test_sff_output_is_low_times_attention_plus_high():
    """With the output convs replaced by identity, out_low == f_low * CA(f_att) + f_att."""
    fpn = HSFPN([8, 8], 32, upsample="bilinear")
    fpn.out = torch.nn.ModuleList([torch.nn.Identity(), torch.nn.Identity()])
    feats = [torch.randn(1, 8, 8, 8), torch.randn(1, 8, 4, 4)]
    outs = fpn(feats)
    low = [fpn.select[0](feats[0]), fpn.select[1](feats[1])]
    f_att = torch.nn.functional.interpolate(low[1], size=(8, 8), mode="bilinear", align_corners=False)
    expected = low[0] * fpn.fuse_ca[0](f_att) + f_att
    assert torch.allclose(outs[0], expected, atol=1e-6)
    assert torch.allclose(outs[1], low[1], atol=1e-6)


def test_backbone_gives_four_levels_with_strides_8_to_64():
    bb = Backbone("resnet18")
    feats = bb(torch.randn(1, 3, 128, 192))
    assert [tuple(f.shape[-2:]) for f in feats] == [(16, 24), (8, 12), (4, 6), (2, 3)]
    assert [f.shape[1] for f in feats] == bb.num_channels


def test_unknown_fpn_kind_is_rejected_by_name():
    with pytest.raises(ValueError, match="unknown fpn kind 'bifpn'"):
        build_fpn("bifpn", [8], 8)
