//! Chinese personal names as they occur on a rural Henan roster: surnames weighted by how
//! common they are in the province, given names by the decade a person was born in.

use doorstep_contract::model::Gender;

use crate::rng::Rng;

/// Surnames in order of how common they are in Henan, and their approximate shares in tenths
/// of a percent. 郭, 孙 and 闫 run higher and 黄 lower than nationally.
const SURNAMES: &str =
    "王李张刘陈杨赵郭孙周黄马胡高吴徐朱宋韩冯曹许魏董吕程范闫袁贾田何丁崔秦谢孔翟焦邵";
const SURNAME_WEIGHTS: [u32; 40] = [
    75, 74, 71, 54, 40, 30, 26, 20, 16, 15, 14, 14, 13, 13, 12, 12, 12, 11, 10, 10, 8, 8, 8, 8, 7,
    7, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 4, 4, 3, 3,
];

/// Given names by the last birth year they fit: (until, male, female), space-separated.
/// Fashions changed with the times (富贵 and 桂兰 before 1950, 建国 and 红霞 under Mao, 子轩
/// and 欣怡 after 2000), so a name hints at an age the way it does on a real roster.
const ERAS: [(i32, &str, &str); 4] = [
    (
        1949,
        "德福 金锁 长顺 保全 富贵 铁柱 根生 振山 有才 广聚 春生 满仓 福 贵 全 银",
        "秀英 桂兰 玉兰 凤英 秀兰 素珍 桂英 玉珍 淑贞 翠花 秀荣 兰芝 凤兰 玉梅 爱莲 荣",
    ),
    (
        1979,
        "建国 建军 国庆 卫东 卫国 志强 国强 永刚 新民 建设 红军 军 伟 刚 勇 强 平",
        "红霞 秀梅 丽华 红梅 桂香 春花 淑芬 玉霞 海燕 秀云 爱华 艳 红 霞 芳 萍",
    ),
    (
        1999,
        "晓东 志伟 海涛 俊杰 建华 鹏飞 亚飞 磊 超 鹏 涛 杰 亮 浩 帅",
        "晓丽 丽娜 倩倩 婷婷 亚楠 晓燕 静 丽 娟 敏 婷 燕 晶 丹 雪",
    ),
    (
        i32::MAX,
        "浩然 子轩 宇轩 梓豪 俊熙 一鸣 博文 浩宇 皓轩 晨阳 明轩 家豪 天佑 宇",
        "子涵 欣怡 梓涵 一诺 雨桐 诗涵 可馨 梦瑶 思涵 语桐 若汐 佳怡 雨欣 梓萱 悦",
    ),
];

pub(crate) fn surname(rng: &mut Rng) -> char {
    let i = rng.weighted(&SURNAME_WEIGHTS, |&w| w);
    SURNAMES.chars().nth(i).expect("one surname per weight")
}

pub(crate) fn given(rng: &mut Rng, gender: Gender, birth_year: i32) -> &'static str {
    let era = ERAS
        .iter()
        .find(|e| birth_year <= e.0)
        .unwrap_or(&ERAS[ERAS.len() - 1]);
    let names = match gender {
        Gender::Male => era.1,
        Gender::Female => era.2,
    };
    let count = names.split(' ').count();
    names
        .split(' ')
        .nth(rng.below(count))
        .expect("the index is below the count")
}
