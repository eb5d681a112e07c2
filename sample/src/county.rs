//! The demo county: 兰考县 (Lankao, Kaifeng, Henan), where the "three doors" visits began, with
//! 40 of its villages spread over every one of its townships.

use doorstep_contract::model::DivisionCode;

/// A village of the demo county.
#[derive(Debug, Clone, PartialEq)]
pub struct Village {
    pub code: DivisionCode,
    pub name: String,
    /// The township (乡, 镇 or 街道) the village belongs to.
    pub township: String,
    /// WGS-84 site of the village.
    pub lat: f64,
    pub lon: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct County {
    /// GB/T 2260 code.
    pub code: &'static str,
    pub name: &'static str,
    pub villages: Vec<Village>,
}

const COUNTY_CODE: &str = "410225";

/// (township code, township, village number, village, WGS-84 lat, lon), over all 16 townships
/// as the statistics bureau numbers them now: three urban 街道 made from the old 城关镇 and
/// 城关乡 in 2015, nine 镇 (谷营 took in 爪营, 张君墓镇 was renamed 考城镇, 许河 and others
/// were 乡 until recently) and four 乡. The village names are real; the numbers of 张东, 东马庄
/// (考城) and 张庄, 程寨 (小宋) are the bureau's, the others follow its 2xx pattern for village
/// committees. Sites are placed from the townships' positions around the county seat
/// (34.822 N, 114.821 E) and are good to a few kilometres, not to the house.
const VILLAGES: [(&str, &str, &str, &str, f64, f64); 40] = [
    ("001", "兰阳街道", "211", "西岗头村", 34.826, 114.795),
    ("002", "桐乡街道", "203", "朱庄村", 34.845, 114.835),
    ("002", "桐乡街道", "208", "盆窑村", 34.808, 114.800),
    ("003", "惠安街道", "202", "韩村", 34.838, 114.862),
    ("003", "惠安街道", "206", "陈斗寨村", 34.805, 114.848),
    ("101", "堌阳镇", "205", "徐场村", 34.725, 114.925),
    ("101", "堌阳镇", "209", "范场村", 34.712, 114.950),
    ("101", "堌阳镇", "214", "梁寨村", 34.745, 114.905),
    ("102", "南彰镇", "201", "南彰村", 34.632, 114.862),
    ("102", "南彰镇", "212", "胡里村", 34.610, 114.838),
    ("102", "南彰镇", "218", "刘堡村", 34.650, 114.895),
    ("103", "考城镇", "207", "张东村", 34.862, 115.138),
    ("103", "考城镇", "216", "东马庄村", 34.875, 115.165),
    ("103", "考城镇", "221", "马集村", 34.848, 115.180),
    ("104", "红庙镇", "203", "双杨树村", 34.772, 115.040),
    ("104", "红庙镇", "210", "青龙岗村", 34.790, 115.075),
    ("104", "红庙镇", "215", "武营村", 34.755, 115.062),
    ("105", "谷营镇", "201", "谷东村", 34.955, 114.905),
    ("105", "谷营镇", "226", "爪营村", 34.915, 114.858),
    ("105", "谷营镇", "213", "金庙村", 34.975, 114.935),
    ("106", "东坝头镇", "208", "张庄村", 34.898, 114.752),
    ("106", "东坝头镇", "201", "雷集村", 34.880, 114.778),
    ("106", "东坝头镇", "210", "栗场村", 34.915, 114.782),
    ("107", "小宋镇", "201", "小宋村", 34.668, 115.012),
    ("107", "小宋镇", "204", "张庄村", 34.682, 115.040),
    ("107", "小宋镇", "225", "程寨村", 34.655, 114.990),
    ("108", "仪封镇", "204", "代庄村", 34.815, 114.965),
    ("108", "仪封镇", "211", "圈头村", 34.835, 114.990),
    ("109", "许河镇", "201", "许河村", 34.925, 115.020),
    ("109", "许河镇", "207", "董堂村", 34.945, 115.048),
    ("201", "三义寨乡", "203", "蔡楼村", 34.830, 114.748),
    ("201", "三义寨乡", "219", "白云山村", 34.853, 114.722),
    ("201", "三义寨乡", "208", "夹河滩村", 34.878, 114.703),
    ("206", "孟寨乡", "201", "孟寨村", 34.760, 114.718),
    ("206", "孟寨乡", "209", "虎羊寨村", 34.742, 114.742),
    ("208", "葡萄架乡", "201", "葡萄架村", 34.775, 114.772),
    ("208", "葡萄架乡", "212", "赵垛楼村", 34.790, 114.752),
    ("208", "葡萄架乡", "205", "贺村", 34.760, 114.795),
    ("209", "闫楼乡", "201", "闫楼村", 34.722, 114.808),
    ("209", "闫楼乡", "210", "郭庄村", 34.705, 114.785),
];

/// 兰考县 with its 40 demo villages.
pub fn lankao() -> County {
    let villages = VILLAGES
        .iter()
        .map(|&(t_code, township, number, name, lat, lon)| Village {
            code: DivisionCode::parse(&format!("{COUNTY_CODE}{t_code}{number}"))
                .expect("the table holds valid village codes"),
            name: name.to_owned(),
            township: township.to_owned(),
            lat,
            lon,
        })
        .collect();
    County {
        code: COUNTY_CODE,
        name: "兰考县",
        villages,
    }
}

impl County {
    /// The names of the county, its townships and its villages as the server's division
    /// table takes them: CSV `code,name`, 12-digit codes.
    pub fn divisions_csv(&self) -> String {
        let mut rows = std::collections::BTreeMap::new();
        rows.insert(format!("{}000000", self.code), self.name.to_owned());
        for v in &self.villages {
            rows.insert(format!("{}000", v.code.township()), v.township.clone());
            rows.insert(v.code.as_str().to_owned(), v.name.clone());
        }
        let mut out = String::from("code,name\n");
        for (code, name) in rows {
            out.push_str(&format!("{code},{name}\n"));
        }
        out
    }
}
